package io.stasis.agent.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.lang.instrument.Instrumentation;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.security.ProtectionDomain;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;

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
        Map<String, byte[]> classes = readClasses();
        for (var names = classes.keySet().iterator(); names.hasNext(); ) {
            if (alreadyInBootLoader(names.next())) {
                names.remove();
            }
        }
        if (classes.isEmpty()) {
            return;
        }
        Module base = Object.class.getModule();
        instrumentation.redefineModule(base, Set.of(), Map.of(INTERNAL_PACKAGE, Set.of(BootstrapInjector.class.getModule())),
                Map.of(), Set.of(), Map.of());
        define(classes, new Definer());
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

    /**
     * {@code jdk.internal.misc.Unsafe.defineClass} with the boot loader, through a method handle
     * called with its exact type: from JDK 18 on, {@code Method.invoke} spins method-handle
     * adapters on its first call, about 30 ms of start-up that this avoids. A class, not a lambda.
     */
    private static final class Definer {
        private final Object unsafe;
        private final MethodHandle defineClass;

        Definer() throws IOException {
            try {
                Class<?> unsafeClass = Class.forName(INTERNAL_PACKAGE + ".Unsafe");
                unsafe = unsafeClass.getMethod("getUnsafe").invoke(null);
                defineClass = MethodHandles.lookup().findVirtual(unsafeClass, "defineClass",
                        MethodType.methodType(Class.class, String.class, byte[].class, int.class, int.class,
                                ClassLoader.class, ProtectionDomain.class))
                        .asType(MethodType.methodType(Class.class, Object.class, String.class, byte[].class, int.class,
                                int.class, ClassLoader.class, ProtectionDomain.class));
            } catch (ReflectiveOperationException e) {
                throw new IOException("this JDK offers no way to define the bridge classes in the boot class loader: " + e, e);
            }
        }

        void define(String name, byte[] bytes) {
            try {
                Class<?> defined = (Class<?>) defineClass.invokeExact(unsafe, name, bytes, 0, bytes.length,
                        (ClassLoader) null, (ProtectionDomain) null);
            } catch (LinkageError | RuntimeException e) {
                throw e;
            } catch (Throwable e) {
                throw new IllegalStateException("defining " + name + " in the boot class loader failed", e);
            }
        }
    }

    /**
     * Reads the nested jars from the agent jar as a zip file, which shares the central directory the
     * class loader already read, rather than through {@code jar:} URLs, which open and check the
     * agent jar once more; from the class path when the agent runs from a directory (tests).
     */
    private static Map<String, byte[]> readClasses() throws IOException {
        Map<String, byte[]> classes = new LinkedHashMap<>();
        Path source = AgentJar.path();
        if (Files.isRegularFile(source)) {
            try (ZipFile agent = new ZipFile(source.toFile())) {
                for (String resource : RESOURCES) {
                    ZipEntry entry = agent.getEntry(resource.substring(1));
                    if (entry == null) {
                        throw missing(resource);
                    }
                    try (InputStream in = agent.getInputStream(entry)) {
                        readNested(in, classes);
                    }
                }
            }
            return classes;
        }
        for (String resource : RESOURCES) {
            try (InputStream in = BootstrapInjector.class.getResourceAsStream(resource)) {
                if (in == null) {
                    throw missing(resource);
                }
                readNested(in, classes);
            }
        }
        return classes;
    }

    private static IOException missing(String resource) {
        return new IOException("the agent jar has no " + resource + "; it was not built by the project's build");
    }

    private static void readNested(InputStream in, Map<String, byte[]> classes) throws IOException {
        try (ZipInputStream nested = new ZipInputStream(in)) {
            for (ZipEntry entry; (entry = nested.getNextEntry()) != null; ) {
                String name = entry.getName();
                if (name.endsWith(".class") && !name.endsWith("package-info.class")
                        && !name.endsWith("module-info.class")) {
                    classes.put(name.substring(0, name.length() - ".class".length()).replace('/', '.'),
                            nested.readAllBytes());
                }
            }
        }
    }
}
