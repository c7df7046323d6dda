package io.stasis.agent.internal.instrument;

import io.stasis.agent.internal.config.AgentOptions;
import io.stasis.agent.internal.config.MemberPattern;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.BufferUnderflowException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Decides from a class file's bytes alone, before any of ASM is loaded, whether a class may
 * need instrumentation: it names the API's annotations in its constant pool, or the {@code fields}
 * or {@code quiesce} option names it, or one of its superclasses does (a constructor of a subclass
 * reports instances whose inherited fields are state). Most classes of an application are none of
 * these, so an application pays for building the instrumentation only once a class needs it.
 * Wrong in one direction only: what it cannot read or resolve counts as "may need".
 */
final class ClassPrefilter {

    /** What instrumentation never touches: the JDK and the agent itself. */
    static final List<String> IGNORED_PREFIXES = List.of("java.", "javax.", "jdk.", "sun.", "com.sun.",
            "io.stasis.agent.internal.", "io.stasis.agent.shaded.", "io.stasis.agent.cli.", "io.stasis.agent.StasisAgent",
            "io.stasis.bootstrap.", "io.stasis.crac.compat.");
    private static final String API_DESCRIPTOR_PREFIX = "Lio/stasis/api/";
    private static final int MAX_SUPERCLASSES = 64;

    private final List<MemberPattern> patterns;
    /** Per class loader: superclass name to whether it may carry state, so each is read once. */
    private final Map<ClassLoader, Map<String, Boolean>> superclasses = new WeakHashMap<>();

    ClassPrefilter(AgentOptions options) {
        List<MemberPattern> all = new ArrayList<>(options.fields());
        all.addAll(options.quiesce());
        this.patterns = List.copyOf(all);
    }

    static boolean ignored(String dottedName) {
        for (String prefix : IGNORED_PREFIXES) {
            if (dottedName.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    boolean mayNeed(ClassLoader loader, String internalName, byte[] classFile) {
        ClassFacts facts = ClassFacts.read(classFile);
        return facts == null || facts.namesApi() || named(internalName)
                || mayCarryState(loader, facts.superclass(), 0);
    }

    /** Whether the superclass {@code internalName}, or one of its own superclasses, may declare state. */
    boolean superclassMayCarryState(ClassLoader loader, String internalName) {
        return mayCarryState(loader, internalName, 0);
    }

    private boolean mayCarryState(ClassLoader loader, String internalName, int depth) {
        if (internalName == null || ignored(internalName.replace('/', '.'))) {
            return false;
        }
        if (depth == MAX_SUPERCLASSES) {
            return true;
        }
        Map<String, Boolean> cache = cache(loader);
        Boolean known = cache.get(internalName);
        if (known != null) {
            return known;
        }
        ClassFacts facts = ClassFacts.read(resource(loader, internalName));
        boolean result = facts == null || facts.namesApi() || named(internalName)
                || mayCarryState(loader, facts.superclass(), depth + 1);
        cache.put(internalName, result);
        return result;
    }

    private boolean named(String internalName) {
        if (patterns.isEmpty()) {
            return false;
        }
        String name = internalName.replace('/', '.');
        for (MemberPattern pattern : patterns) {
            if (pattern.matchesType(name)) {
                return true;
            }
        }
        return false;
    }

    private Map<String, Boolean> cache(ClassLoader loader) {
        synchronized (superclasses) {
            Map<String, Boolean> cache = superclasses.get(loader);
            if (cache == null) {
                cache = new ConcurrentHashMap<>();
                superclasses.put(loader, cache);
            }
            return cache;
        }
    }

    /** The class file of {@code internalName} as {@code loader} finds it, or {@code null}. */
    static byte[] resource(ClassLoader loader, String internalName) {
        String name = internalName + ".class";
        try (InputStream in = loader != null ? loader.getResourceAsStream(name) : ClassLoader.getSystemResourceAsStream(name)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The two facts the filter needs from a class file: its superclass and whether it names the API. */
    record ClassFacts(String superclass, boolean namesApi) {

        /** Reads them, or {@code null} for bytes that are not a well-formed class file. */
        static ClassFacts read(byte[] bytes) {
            if (bytes == null) {
                return null;
            }
            try {
                ByteBuffer in = ByteBuffer.wrap(bytes);
                if (in.getInt() != 0xCAFEBABE) {
                    return null;
                }
                in.getInt(); // minor and major version
                int count = Short.toUnsignedInt(in.getShort());
                String[] utf8 = new String[count];
                int[] classNames = new int[count];
                boolean namesApi = false;
                for (int i = 1; i < count; i++) {
                    int tag = in.get();
                    switch (tag) {
                        case 1 -> {
                            int length = Short.toUnsignedInt(in.getShort());
                            // Modified UTF-8; the names compared here are ASCII.
                            utf8[i] = new String(bytes, in.position(), length, StandardCharsets.ISO_8859_1);
                            in.position(in.position() + length);
                            namesApi |= utf8[i].contains(API_DESCRIPTOR_PREFIX);
                        }
                        case 7 -> classNames[i] = Short.toUnsignedInt(in.getShort());
                        case 8, 16, 19, 20 -> in.getShort();
                        case 15 -> {
                            in.get();
                            in.getShort();
                        }
                        case 3, 4, 9, 10, 11, 12, 17, 18 -> in.getInt();
                        case 5, 6 -> {
                            in.getLong();
                            i++; // takes two slots
                        }
                        default -> {
                            return null;
                        }
                    }
                }
                in.getShort(); // access flags
                in.getShort(); // this class
                int superIndex = Short.toUnsignedInt(in.getShort());
                String superclass = superIndex == 0 ? null : utf8[classNames[superIndex]];
                return new ClassFacts(superclass, namesApi);
            } catch (BufferUnderflowException | IndexOutOfBoundsException | IllegalArgumentException e) {
                return null;
            }
        }
    }
}
