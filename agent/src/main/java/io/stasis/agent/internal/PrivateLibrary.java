package io.stasis.agent.internal;

import io.stasis.files.PrivateFiles;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * A library that travels inside the agent jar as nested jars ({@code META-INF/stasis/NAME/}), is
 * never on any class path, and is loaded the first time a feature needs it, by a class loader of
 * its own: its parent is the platform class loader, so the application's classes (its own copies
 * of the library, SLF4J, Guava) are invisible to it and it to them; only Stasis's own classes are
 * shared. The agent's classes that call the library ({@code clientPackage}) are defined by that
 * loader from the agent jar's bytes, so that they see the nested jars; a native library of the
 * nested jars is loaded from the loader's private directory. Nothing of it is loaded unless a
 * feature asks for it.
 */
public final class PrivateLibrary {

    private static final String STASIS = "io.stasis.";
    private static final Map<String, Isolating> LOADERS = new HashMap<>();

    private PrivateLibrary() {
    }

    /**
     * A new instance of {@code clientPackage + simpleName}, defined by the library's loader; an
     * {@link IOException} its constructor throws comes out as itself.
     *
     * @param what what the instance is, for messages ("the S3 client")
     */
    public static <T> T instantiate(String name, String clientPackage, String simpleName, Class<T> as, String what,
                                    Class<?>[] parameterTypes, Object... arguments) throws IOException {
        try {
            Class<?> type = Class.forName(clientPackage + simpleName, true, loader(name, clientPackage));
            return as.cast(type.getConstructor(parameterTypes).newInstance(arguments));
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException(what + " failed: " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new IOException(what + " in the agent jar cannot be loaded (" + e + "); use the stasis-agent.jar the"
                    + " build made", e);
        }
    }

    /**
     * The loader of the nested jars {@code META-INF/stasis/NAME/}, made once per name, that also
     * answers for the native library {@code libname} ({@code System.loadLibrary}, from the library's
     * own classes): {@code resource}, a file in one of those jars, is copied into the loader's
     * private directory, so the library never unpacks itself into a directory others can write.
     *
     * @throws IOException if the jars hold no {@code resource} (a platform the library was not built for)
     */
    public static synchronized ClassLoader withNativeLibrary(String name, String libname, String resource)
            throws IOException {
        Isolating loader = loader(name, null);
        if (!loader.libraries.containsKey(libname)) {
            URL found = loader.findResource(resource);
            if (found == null) {
                throw new IOException("the " + name + " library has no " + resource);
            }
            Path file = loader.dir.resolve(System.mapLibraryName(libname));
            file.toFile().deleteOnExit();
            try (InputStream in = found.openStream(); FileChannel out = PrivateFiles.createFile(file)) {
                in.transferTo(Channels.newOutputStream(out));
            }
            loader.libraries.put(libname, file.toString());
        }
        return loader;
    }

    /**
     * Removes the private directory of the library {@code name} (its jars and native libraries):
     * for a library whose loader has opened its jars and loaded its native library, so that a JVM
     * killed later leaves nothing of it behind. The loader keeps the jars it opened; a class it
     * has not loaded yet still loads from them.
     */
    public static synchronized void removeCopies(String name) throws IOException {
        Isolating loader = LOADERS.get(name);
        if (loader != null) {
            PrivateFiles.deleteTree(loader.dir);
        }
    }

    /**
     * The loader of the nested jars {@code META-INF/stasis/NAME/}, made once per name: the jars are
     * copied to a private temporary directory.
     *
     * @param clientPackage the package (with its trailing dot) of the agent's classes that use the
     *     library, or {@code null} if the agent only reaches it through reflection
     */
    private static synchronized Isolating loader(String name, String clientPackage) throws IOException {
        Isolating loader = LOADERS.get(name);
        if (loader == null) {
            String jarsDir = "META-INF/stasis/" + name + "/";
            Path dir = Files.createTempDirectory("stasis-" + name + "-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            dir.toFile().deleteOnExit();
            List<URL> urls = new ArrayList<>();
            for (String jar : nestedJars(jarsDir)) {
                Path file = dir.resolve(jar.substring(jarsDir.length()));
                file.toFile().deleteOnExit();
                try (InputStream in = PrivateLibrary.class.getClassLoader().getResourceAsStream(jar);
                     FileChannel out = PrivateFiles.createFile(file)) {
                    if (in == null) {
                        throw new IOException("the agent jar has no " + jar);
                    }
                    in.transferTo(Channels.newOutputStream(out));
                }
                urls.add(file.toUri().toURL());
            }
            if (urls.isEmpty()) {
                throw new IOException("the agent jar has no " + jarsDir + "; use the stasis-agent.jar the build made");
            }
            loader = new Isolating(name, dir, urls.toArray(URL[]::new), PrivateLibrary.class.getClassLoader(),
                    clientPackage);
            LOADERS.put(name, loader);
        }
        return loader;
    }

    /** The names of the nested jars, from the agent jar (or, in the build, its classes directory). */
    private static List<String> nestedJars(String jarsDir) throws IOException {
        Path source;
        try {
            source = Path.of(PrivateLibrary.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | RuntimeException e) {
            throw new IOException("cannot tell where the agent jar is: " + e, e);
        }
        List<String> jars = new ArrayList<>();
        if (Files.isDirectory(source)) {
            Path nested = source.resolve(jarsDir);
            if (Files.isDirectory(nested)) {
                try (Stream<Path> files = Files.list(nested)) {
                    files.map(f -> jarsDir + f.getFileName()).filter(n -> n.endsWith(".jar")).forEach(jars::add);
                }
            }
        } else {
            try (JarFile agent = new JarFile(source.toFile())) {
                for (Enumeration<JarEntry> entries = agent.entries(); entries.hasMoreElements(); ) {
                    String name = entries.nextElement().getName();
                    if (name.startsWith(jarsDir) && name.endsWith(".jar") && name.indexOf('/', jarsDir.length()) < 0) {
                        jars.add(name);
                    }
                }
            }
        }
        jars.sort(null);
        return jars;
    }

    /**
     * Sees the platform's classes, the nested jars, Stasis's own classes from the agent's loader,
     * and defines the client package itself so that those classes see the nested jars. Native
     * libraries are found only among those copied into its directory.
     */
    private static final class Isolating extends URLClassLoader {
        private final Path dir;
        private final ClassLoader agent;
        private final String clientPackage;
        private final Map<String, String> libraries = new HashMap<>();

        Isolating(String name, Path dir, URL[] jars, ClassLoader agent, String clientPackage) {
            super("stasis-" + name, jars, ClassLoader.getPlatformClassLoader());
            this.dir = dir;
            this.agent = agent;
            this.clientPackage = clientPackage;
        }

        @Override
        protected String findLibrary(String libname) {
            synchronized (PrivateLibrary.class) {
                return libraries.get(libname);
            }
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!name.startsWith(STASIS)) {
                return super.loadClass(name, resolve);
            }
            if (clientPackage == null || !name.startsWith(clientPackage)) {
                return agent.loadClass(name);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> found = findLoadedClass(name);
                if (found == null) {
                    String resource = name.replace('.', '/') + ".class";
                    try (InputStream in = agent.getResourceAsStream(resource)) {
                        if (in == null) {
                            throw new ClassNotFoundException(name);
                        }
                        byte[] bytes = in.readAllBytes();
                        found = defineClass(name, bytes, 0, bytes.length);
                    } catch (IOException e) {
                        throw new ClassNotFoundException(name, e);
                    }
                }
                if (resolve) {
                    resolveClass(found);
                }
                return found;
            }
        }
    }
}
