package io.stasis.agent.internal.store.s3;

import io.stasis.agent.internal.store.BlobStore;
import io.stasis.agent.internal.store.S3Location;
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
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Opens a store in S3-compatible object storage. The AWS SDK travels inside the agent jar as
 * nested jars ({@code META-INF/stasis/s3/}), is never on any class path, and is loaded the first
 * time an {@code s3://} store is opened, by a class loader of its own: its parent is the platform
 * class loader, so the application's classes (its own AWS SDK, SLF4J, Jackson) are invisible to it
 * and it to them; only Stasis's own classes are shared. Without an {@code s3://} store none of this
 * runs and nothing of the SDK is loaded.
 */
public final class S3Loader {

    static final String JARS = "META-INF/stasis/s3/";
    /** The classes that use the SDK: defined by the private loader from the agent jar's bytes. */
    static final String CLIENT_PACKAGE = "io.stasis.agent.internal.store.s3.client.";
    private static final String STASIS = "io.stasis.";

    private static ClassLoader loader;

    private S3Loader() {
    }

    /** The store at {@code where}; its bucket is checked when it is prepared for reading or writing. */
    public static BlobStore open(S3Location where) throws IOException {
        try {
            Class<?> blobs = Class.forName(CLIENT_PACKAGE + "S3Blobs", true, loader());
            return (BlobStore) blobs.getConstructor(S3Location.class).newInstance(where);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException("cannot open " + where + ": " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new IOException("the S3 client in the agent jar cannot be loaded (" + e + "); use the stasis-agent.jar"
                    + " the build made", e);
        }
    }

    /** The private class loader, made once: the nested jars copied to a private temporary directory. */
    static synchronized ClassLoader loader() throws IOException {
        if (loader == null) {
            Path dir = Files.createTempDirectory("stasis-s3-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            dir.toFile().deleteOnExit();
            List<URL> urls = new ArrayList<>();
            for (String jar : nestedJars()) {
                Path file = dir.resolve(jar.substring(JARS.length()));
                file.toFile().deleteOnExit();
                try (InputStream in = S3Loader.class.getClassLoader().getResourceAsStream(jar);
                     FileChannel out = PrivateFiles.createFile(file)) {
                    if (in == null) {
                        throw new IOException("the agent jar has no " + jar);
                    }
                    in.transferTo(Channels.newOutputStream(out));
                }
                urls.add(file.toUri().toURL());
            }
            if (urls.isEmpty()) {
                throw new IOException("the agent jar has no S3 client (" + JARS + "); use the stasis-agent.jar the"
                        + " build made");
            }
            loader = new Isolating(urls.toArray(URL[]::new), S3Loader.class.getClassLoader());
        }
        return loader;
    }

    /** The names of the nested jars, from the agent jar (or, in the build, its classes directory). */
    private static List<String> nestedJars() throws IOException {
        Path source;
        try {
            source = Path.of(S3Loader.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | RuntimeException e) {
            throw new IOException("cannot tell where the agent jar is: " + e, e);
        }
        List<String> jars = new ArrayList<>();
        if (Files.isDirectory(source)) {
            Path nested = source.resolve(JARS);
            if (Files.isDirectory(nested)) {
                try (Stream<Path> files = Files.list(nested)) {
                    files.map(f -> JARS + f.getFileName()).filter(n -> n.endsWith(".jar")).forEach(jars::add);
                }
            }
        } else {
            try (JarFile agent = new JarFile(source.toFile())) {
                for (Enumeration<JarEntry> entries = agent.entries(); entries.hasMoreElements(); ) {
                    String name = entries.nextElement().getName();
                    if (name.startsWith(JARS) && name.endsWith(".jar") && name.indexOf('/', JARS.length()) < 0) {
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
     * and defines {@link #CLIENT_PACKAGE} itself so that those classes see the SDK of the nested jars.
     */
    private static final class Isolating extends URLClassLoader {
        private final ClassLoader agent;

        Isolating(URL[] jars, ClassLoader agent) {
            super("stasis-s3", jars, ClassLoader.getPlatformClassLoader());
            this.agent = agent;
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!name.startsWith(STASIS)) {
                return super.loadClass(name, resolve);
            }
            if (!name.startsWith(CLIENT_PACKAGE)) {
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
