package io.stasis.agent.internal.instrument;

import io.stasis.bootstrap.QuiesceGate;
import io.stasis.bootstrap.Registrations;
import java.util.function.Consumer;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;

/**
 * Applies a {@link ClassPlan} to a class file:
 * <ul>
 *   <li>units of work pass through the gate on entry and on every exit ({@link UnitOfWorkMethod});</li>
 *   <li>constructors of classes that own instance state, or inherit it, report the instance;</li>
 *   <li>static initializers of classes that own static state report the class; a class that has
 *       none gets one that only reports it (not when a loaded class is retransformed, which may
 *       not add methods: the agent registers those classes itself).</li>
 * </ul>
 * Only bodies change: no field, no method signature, no frame of the original code other than
 * the one local the gate's passage is kept in, so nothing here loads or resolves another class.
 */
final class ClassRewriter extends ClassVisitor {

    static final String REGISTRATIONS = Type.getInternalName(Registrations.class);
    static final String GATE = Type.getInternalName(QuiesceGate.class);
    static final String UNIT = Type.getInternalName(QuiesceGate.Unit.class);
    /** {@code ldc} of a class constant: Java 5 class files and later. */
    private static final int CLASS_CONSTANTS = Opcodes.V1_5;

    private final ClassPlan plan;
    private final boolean reportsInstances;
    private final boolean retransforming;
    private String name;

    private ClassRewriter(ClassVisitor writer, ClassPlan plan, boolean reportsInstances, boolean retransforming) {
        super(Opcodes.ASM9, writer);
        this.plan = plan;
        this.reportsInstances = reportsInstances && plan.version() >= CLASS_CONSTANTS;
        this.retransforming = retransforming;
    }

    /**
     * @param reportsInstances whether the class or one of its superclasses may declare instance state
     * @param retransforming   whether the class is already loaded (no method may be added)
     */
    static byte[] rewrite(byte[] classFile, ClassPlan plan, boolean reportsInstances, boolean retransforming) {
        ClassReader reader = new ClassReader(classFile);
        // The writer shares the reader's constant pool; frames are expanded so that the one added
        // local can be appended to each of them (see UnitOfWorkMethod).
        ClassWriter writer = new ClassWriter(reader, 0);
        reader.accept(new ClassRewriter(writer, plan, reportsInstances, retransforming), ClassReader.EXPAND_FRAMES);
        return writer.toByteArray();
    }

    @Override
    public void visit(int version, int access, String name, String signature, String superName, String[] interfaces) {
        this.name = name;
        super.visit(version, access, name, signature, superName, interfaces);
    }

    @Override
    public MethodVisitor visitMethod(int access, String method, String descriptor, String signature, String[] exceptions) {
        MethodVisitor visitor = super.visitMethod(access, method, descriptor, signature, exceptions);
        if (method.equals("<init>")) {
            // Every constructor reports: one that delegates (this(...)) reports again after its own
            // assignments, so that a restore applied at the first report is applied again last.
            return reportsInstances ? new BeforeReturn(visitor, this::reportInstance) : visitor;
        }
        if (method.equals("<clinit>")) {
            return reportsClass() ? new BeforeReturn(visitor, this::reportClass) : visitor;
        }
        Integer locals = plan.unitsOfWork().get(ClassPlan.key(method, descriptor));
        return locals == null ? visitor : new UnitOfWorkMethod(visitor, locals, plan.version() >= Opcodes.V1_6);
    }

    @Override
    public void visitEnd() {
        if (reportsClass() && !plan.hasTypeInitializer() && !retransforming) {
            MethodVisitor init = super.visitMethod(Opcodes.ACC_STATIC, "<clinit>", "()V", null, null);
            init.visitCode();
            reportClass(init);
            init.visitInsn(Opcodes.RETURN);
            init.visitMaxs(1, 0);
            init.visitEnd();
        }
        super.visitEnd();
    }

    private boolean reportsClass() {
        return plan.staticState() && plan.version() >= CLASS_CONSTANTS;
    }

    private void reportInstance(MethodVisitor code) {
        code.visitVarInsn(Opcodes.ALOAD, 0);
        code.visitLdcInsn(Type.getObjectType(name));
        code.visitMethodInsn(Opcodes.INVOKESTATIC, REGISTRATIONS, "constructed",
                "(Ljava/lang/Object;Ljava/lang/Class;)V", false);
    }

    private void reportClass(MethodVisitor code) {
        code.visitLdcInsn(Type.getObjectType(name));
        code.visitMethodInsn(Opcodes.INVOKESTATIC, REGISTRATIONS, "initialized", "(Ljava/lang/Class;)V", false);
    }

    /** Inserts a call before every normal return; an exception leaves without it. */
    private static final class BeforeReturn extends MethodVisitor {
        private final Consumer<MethodVisitor> call;

        BeforeReturn(MethodVisitor visitor, Consumer<MethodVisitor> call) {
            super(Opcodes.ASM9, visitor);
            this.call = call;
        }

        @Override
        public void visitInsn(int opcode) {
            if (opcode == Opcodes.RETURN) {
                call.accept(mv);
            }
            super.visitInsn(opcode);
        }

        @Override
        public void visitMaxs(int maxStack, int maxLocals) {
            super.visitMaxs(maxStack + 2, maxLocals);
        }
    }
}
