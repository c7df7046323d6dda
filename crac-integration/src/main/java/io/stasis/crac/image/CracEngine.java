package io.stasis.crac.image;

import io.stasis.crac.compat.Resource;
import java.lang.ref.WeakReference;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Images on a CRaC JDK, through {@code jdk.crac}: the JVM writes its own image to the directory
 * given by {@code -XX:CRaCCheckpointTo} and is restored with {@code java -XX:CRaCRestoreFrom=DIR}.
 * Reached by reflection, so that the agent also loads on JDKs without the module. There
 * {@code org.crac} bridges to {@code jdk.crac} by itself, and the agent leaves it alone.
 */
public final class CracEngine {

    private static final String MODULE = "jdk.crac";
    /** jdk.crac holds Resources weakly: each forwarder lives as long as the Resource it forwards to. */
    private static final Map<Resource, Object> HELD = Collections.synchronizedMap(new WeakHashMap<>());

    private CracEngine() {
    }

    public static boolean available() {
        // Not findModule: on a miss it streams through the parent layers, which costs start-up time.
        for (Module module : ModuleLayer.boot().modules()) {
            if (MODULE.equals(module.getName())) {
                return true;
            }
        }
        return false;
    }

    /** Registers {@code resource} with {@code jdk.crac}'s global context, which holds it weakly. */
    public static void register(Resource resource) throws ImageException {
        try {
            Class<?> core = Class.forName("jdk.crac.Core");
            Class<?> jdkResource = Class.forName("jdk.crac.Resource");
            Object context = core.getMethod("getGlobalContext").invoke(null);
            Object proxy = Proxy.newProxyInstance(CracEngine.class.getClassLoader(), new Class<?>[] {jdkResource},
                    new Forwarder(new WeakReference<>(resource)));
            HELD.put(resource, proxy);
            // Through the public jdk.crac.Context: the global context's own class is not accessible.
            Class.forName("jdk.crac.Context").getMethod("register", jdkResource).invoke(context, proxy);
        } catch (ReflectiveOperationException e) {
            throw new ImageException("cannot register with jdk.crac: " + e, e);
        }
    }

    /**
     * Takes the image; returns in the restored JVM (or in this one, if the JVM was started to
     * carry on after its checkpoint).
     */
    public static void checkpointRestore() throws ImageException {
        ImageTrace trace = ImageTrace.start("crac", "");
        try {
            Class.forName("jdk.crac.Core").getMethod("checkpointRestore").invoke(null);
            trace.done("returned", "");
        } catch (InvocationTargetException e) {
            trace.done("failed", String.valueOf(e.getCause()));
            Throwable cause = e.getCause();
            StringBuilder why = new StringBuilder(String.valueOf(cause));
            for (Throwable suppressed : cause.getSuppressed()) {
                why.append("\n  ").append(suppressed);
            }
            throw new ImageException("jdk.crac checkpoint failed (is -XX:CRaCCheckpointTo set?): " + why, cause);
        } catch (ReflectiveOperationException e) {
            throw new ImageException("cannot reach jdk.crac: " + e, e);
        }
    }

    /**
     * A {@code jdk.crac.Resource} that forwards to one of ours; the context argument is not used.
     * It refers to ours weakly, or {@link #HELD} would keep it alive for good.
     */
    private record Forwarder(WeakReference<Resource> target) implements InvocationHandler {
        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            Resource resource = target.get();
            switch (method.getName()) {
                case "beforeCheckpoint" -> {
                    if (resource != null) {
                        resource.beforeCheckpoint(null);
                    }
                }
                case "afterRestore" -> {
                    if (resource != null) {
                        resource.afterRestore(null);
                    }
                }
                case "toString" -> {
                    return "stasis:" + resource;
                }
                case "hashCode" -> {
                    return System.identityHashCode(proxy);
                }
                case "equals" -> {
                    return proxy == args[0];
                }
                default -> throw new UnsupportedOperationException(method.getName());
            }
            return null;
        }
    }
}
