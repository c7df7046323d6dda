package io.stasis.agent.internal.instrument;

import io.stasis.agent.internal.config.MemberPattern;
import io.stasis.agent.internal.state.Annotations;
import io.stasis.agent.internal.state.DeclaredMarks;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.objectweb.asm.AnnotationVisitor;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.FieldVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * What one class file needs, read from its bytes: whether it declares state (static or per
 * instance, by {@code @Checkpointed} or the {@code fields} option), and which of its methods are
 * units of work (by {@code @QuiescePoint} or the {@code quiesce} option), each with the number of
 * local variable slots its code uses, so that the gate's passage can be kept in the next one; and
 * which members carry {@code @Checkpointed} and {@code @CheckpointKey} ({@code marks}, for
 * {@link DeclaredMarks}).
 */
record ClassPlan(String superclass, int version, boolean isInterface, boolean staticState, boolean instanceState,
                 boolean hasTypeInitializer, Map<String, Integer> unitsOfWork, Map<String, Set<String>> marks) {

    private static final String CHECKPOINTED = descriptor(Annotations.CHECKPOINTED);
    private static final String CHECKPOINT_KEY = descriptor(Annotations.CHECKPOINT_KEY);
    private static final String QUIESCE_POINT = descriptor(Annotations.QUIESCE_POINT);

    /** Whether nothing in the class itself needs instrumentation (an inherited state may still). */
    boolean declaresNothing() {
        return !staticState && !instanceState && unitsOfWork.isEmpty();
    }

    static String key(String method, String descriptor) {
        return method + descriptor;
    }

    /**
     * Reads the plan; every pattern is tried on every member, so that {@code usage} sees all it matches.
     *
     * @throws IllegalArgumentException for bytes that are not a class file ASM can read
     */
    static ClassPlan read(byte[] classFile, List<MemberPattern> fields, List<MemberPattern> quiesce, PatternUsage usage) {
        Scanner scanner = new Scanner(fields, quiesce, usage);
        new ClassReader(classFile).accept(scanner, ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
        return new ClassPlan(scanner.superclass, scanner.version, scanner.isInterface, scanner.staticState,
                scanner.instanceState, scanner.hasTypeInitializer, Map.copyOf(scanner.units), Map.copyOf(scanner.marks));
    }

    private static String descriptor(String annotation) {
        return "L" + annotation.replace('.', '/') + ";";
    }

    private static boolean anyMatches(List<MemberPattern> patterns, PatternUsage usage, String owner, String member) {
        boolean any = false;
        for (MemberPattern pattern : patterns) {
            if (pattern.matches(owner, member)) {
                usage.matched(pattern);
                any = true;
            }
        }
        return any;
    }

    private static final class Scanner extends ClassVisitor {
        private final List<MemberPattern> fields;
        private final List<MemberPattern> quiesce;
        private final PatternUsage usage;
        private final Map<String, Integer> units = new HashMap<>();
        private final Map<String, Set<String>> marks = new HashMap<>();
        private String owner;
        private String superclass;
        private int version;
        private boolean isInterface;
        private boolean staticState;
        private boolean instanceState;
        private boolean hasTypeInitializer;

        Scanner(List<MemberPattern> fields, List<MemberPattern> quiesce, PatternUsage usage) {
            super(Opcodes.ASM9);
            this.fields = fields;
            this.quiesce = quiesce;
            this.usage = usage;
        }

        @Override
        public void visit(int version, int access, String name, String signature, String superName, String[] interfaces) {
            this.version = version;
            this.owner = name.replace('/', '.');
            this.superclass = superName;
            this.isInterface = (access & Opcodes.ACC_INTERFACE) != 0;
        }

        @Override
        public FieldVisitor visitField(int access, String name, String descriptor, String signature, Object value) {
            boolean isStatic = (access & Opcodes.ACC_STATIC) != 0;
            if (anyMatches(fields, usage, owner, name)) {
                markState(isStatic);
            }
            return new FieldVisitor(Opcodes.ASM9) {
                @Override
                public AnnotationVisitor visitAnnotation(String annotation, boolean visible) {
                    if (visible && annotation.equals(CHECKPOINTED)) {
                        markState(isStatic);
                        mark(Annotations.CHECKPOINTED, name);
                    } else if (visible && annotation.equals(CHECKPOINT_KEY)) {
                        mark(Annotations.CHECKPOINT_KEY, name);
                    }
                    return null;
                }
            };
        }

        private void mark(String annotation, String member) {
            Set<String> members = marks.get(annotation);
            if (members == null) {
                members = new HashSet<>();
                marks.put(annotation, members);
            }
            members.add(member);
        }

        private void markState(boolean isStatic) {
            if (isStatic) {
                staticState = true;
            } else {
                instanceState = true;
            }
        }

        @Override
        public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
            if (name.equals("<clinit>")) {
                hasTypeInitializer = true;
                return null;
            }
            if (name.equals("<init>")) {
                return null;
            }
            boolean named = anyMatches(quiesce, usage, owner, name);
            return new MethodVisitor(Opcodes.ASM9) {
                private boolean annotated;

                @Override
                public AnnotationVisitor visitAnnotation(String annotation, boolean visible) {
                    annotated |= visible && annotation.equals(QUIESCE_POINT);
                    if (visible && annotation.equals(CHECKPOINT_KEY) && descriptor.startsWith("()")) {
                        mark(Annotations.CHECKPOINT_KEY, DeclaredMarks.methodKey(name, descriptor));
                    }
                    return null;
                }

                @Override
                public void visitMaxs(int maxStack, int maxLocals) {
                    // Only methods with code get here: abstract and native ones are not units of work.
                    if (named || annotated) {
                        units.put(key(name, descriptor), maxLocals);
                    }
                }
            };
        }
    }
}
