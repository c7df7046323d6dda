package io.stasis.agent.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.security.ProtectionDomain;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;

/**
 * Defines the bridge classes ({@code io.stasis.bootstrap}, and the {@code org.crac} compat bridge
 * {@code io.stasis.crac.compat}) in the bootstrap class loader, where code in every class loader
 * can see them. They travel inside the agent jar as nested jars.
 *
 * <p>They are defined one by one rather than by appending a jar to the bootstrap class path: an
 * appended path makes HotSpot print "Sharing is only supported for boot loader classes because
 * bootstrap classpath has been appended" and stop loading the application's classes from its
 * class-data sharing archive or AOT cache. Defining a class does neither. The JDK's own way of
 * defining a class in the boot loader ({@code jdk.internal.misc.Unsafe.defineClass} with a
 * {@code null} loader) is opened to the agent alone, through {@link Instrumentation#redefineModule}.
 */
public final class BootstrapInjector {

    static final List<String> RESOURCES = List.of("/META-INF/stasis/stasis-bootstrap.jar",
            "/META-INF/stasis/stasis-crac-compat.jar");
    private static final String INTERNAL_PACKAGE = "jdk.internal.misc";

    private BootstrapInjector() {
    }

    public static void inject(Instrumentation instrumentation) throws IOException {
        Map<String, byte[]> classes = new LinkedHashMap<>();
        for (String resource : RESOURCES) {
            readClasses(resource, classes);
        }
        classes.keySet().removeIf(BootstrapInjector::alreadyInBootLoader);
        if (classes.isEmpty()) {
            return;
        }
        Module base = Object.class.getModule();
        instrumentation.redefineModule(base, Set.of(), Map.of(INTERNAL_PACKAGE, Set.of(BootstrapInjector.class.getModule())),
                Map.of(), Set.of(), Map.of());
        define(classes, definer());
    }

    /**
     * Defines every class, a supertype before its subtypes: a class whose supertype is not defined
     * yet fails cleanly (nothing is recorded) and is tried again after the others.
     */
    private static void define(Map<String, byte[]> classes, Definer definer) throws IOException {
        while (!classes.isEmpty()) {
            int before = classes.size();
            LinkageError last = null;
            for (var it = classes.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<String, byte[]> entry = it.next();
                try {
                    definer.define(entry.getKey(), entry.getValue());
                    it.remove();
                } catch (NoClassDefFoundError e) {
                    last = e;
                }
            }
            if (classes.size() == before) {
                throw new IOException("cannot define the bridge classes " + classes.keySet() + " in the boot class "
                        + "loader: " + last, last);
            }
        }
    }

    private static boolean alreadyInBootLoader(String name) {
        try {
            Class.forName(name, false, null);
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    private interface Definer {
        void define(String name, byte[] bytes);
    }

    private static Definer definer() throws IOException {
        try {
            Class<?> unsafeClass = Class.forName(INTERNAL_PACKAGE + ".Unsafe");
            Object unsafe = unsafeClass.getMethod("getUnsafe").invoke(null);
            Method defineClass = unsafeClass.getMethod("defineClass", String.class, byte[].class, int.class, int.class,
                    ClassLoader.class, ProtectionDomain.class);
            return (name, bytes) -> {
                try {
                    defineClass.invoke(unsafe, name, bytes, 0, bytes.length, null, null);
                } catch (InvocationTargetException e) {
                    if (e.getCause() instanceof LinkageError linkage) {
                        throw linkage;
                    }
                    throw new IllegalStateException("defining " + name + " in the boot class loader failed", e.getCause());
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            };
        } catch (ReflectiveOperationException e) {
            throw new IOException("this JDK offers no way to define the bridge classes in the boot class loader: " + e, e);
        }
    }

    private static void readClasses(String resource, Map<String, byte[]> classes) throws IOException {
        try (InputStream in = BootstrapInjector.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("the agent jar has no " + resource + "; it was not built by the project's build");
            }
            try (JarInputStream nested = new JarInputStream(in)) {
                for (JarEntry entry; (entry = nested.getNextJarEntry()) != null; ) {
                    String name = entry.getName();
                    if (name.endsWith(".class") && !name.endsWith("package-info.class")
                            && !name.endsWith("module-info.class")) {
                        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                        nested.transferTo(bytes);
                        classes.put(name.substring(0, name.length() - ".class".length()).replace('/', '.'),
                                bytes.toByteArray());
                    }
                }
            }
        }
    }
}
