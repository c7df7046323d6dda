package io.stasis.agent.internal.instrument;

import io.stasis.agent.internal.Log;
import io.stasis.agent.internal.state.Annotations;
import java.lang.instrument.ClassFileTransformer;
import java.nio.charset.StandardCharsets;
import java.security.ProtectionDomain;
import java.util.Collections;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * Warns, once per class loader, when a class uses {@code @Checkpointed} or {@code @QuiescePoint}
 * but its loader cannot load the annotations: the JVM then drops them silently, and without this
 * line the application would run and save nothing. Transforms nothing.
 */
final class MissingApiWarning implements ClassFileTransformer {

    private static final byte[] API_PACKAGE = "Lio/stasis/api/".getBytes(StandardCharsets.ISO_8859_1);
    private static final String CHECKPOINTED = descriptor(Annotations.CHECKPOINTED);
    private static final String QUIESCE_POINT = descriptor(Annotations.QUIESCE_POINT);
    private static final String API_RESOURCE = Annotations.CHECKPOINTED.replace('.', '/') + ".class";

    private final Set<ClassLoader> warned = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

    @Override
    public byte[] transform(ClassLoader loader, String className, Class<?> classBeingRedefined,
                            ProtectionDomain protectionDomain, byte[] classfileBuffer) {
        // The JDK's classes and the agent's own (a third of what loads before main) are never read.
        if (loader == null || classBeingRedefined != null || className == null
                || ClassPrefilter.ignored(className.replace('/', '.')) || indexOf(classfileBuffer, API_PACKAGE) < 0
                || warned.contains(loader)) {
            return null;
        }
        // Constant-pool strings are modified UTF-8; the descriptors are ASCII, so Latin-1 finds them.
        String text = new String(classfileBuffer, StandardCharsets.ISO_8859_1);
        boolean annotated = text.contains(CHECKPOINTED) || text.contains(QUIESCE_POINT);
        if (annotated && loader.getResource(API_RESOURCE) == null && warned.add(loader)) {
            Log.warn(className.replace('/', '.') + " uses @Checkpointed or @QuiescePoint, but io.stasis.api is not "
                    + "on its class path at run time, so the JVM ignores the annotations and its state is NOT saved: "
                    + "add stasis-api.jar (agent/api/target/stasis-api.jar, io.stasis:stasis-api) to the "
                    + "application's class path, not only to the compiler's");
        }
        return null;
    }

    private static String descriptor(String annotation) {
        return "L" + annotation.replace('.', '/') + ";";
    }

    private static int indexOf(byte[] bytes, byte[] pattern) {
        byte first = pattern[0];
        int last = bytes.length - pattern.length;
        outer:
        for (int i = 0; i <= last; i++) {
            if (bytes[i] != first) {
                continue;
            }
            for (int j = 1; j < pattern.length; j++) {
                if (bytes[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
