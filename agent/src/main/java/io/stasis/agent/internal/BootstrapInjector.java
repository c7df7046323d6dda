package io.stasis.agent.internal;

import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;

/**
 * Puts the bridge classes ({@code io.stasis.bootstrap}, and the {@code org.crac} compat bridge
 * {@code io.stasis.crac.compat}) on the bootstrap class path, where code in every class loader can
 * see them. They travel inside the agent jar as nested jars, merged into one private temporary
 * file because the JVM appends only files on disk (and warns once per file appended).
 */
public final class BootstrapInjector {

    static final List<String> RESOURCES = List.of("/META-INF/stasis/stasis-bootstrap.jar",
            "/META-INF/stasis/stasis-crac-compat.jar");

    private BootstrapInjector() {
    }

    public static void inject(Instrumentation instrumentation) throws IOException {
        // createTempFile makes the file readable by its owner only.
        Path file = Files.createTempFile("stasis-bootstrap-", ".jar");
        try {
            try (JarOutputStream merged = new JarOutputStream(Files.newOutputStream(file))) {
                for (String resource : RESOURCES) {
                    copyEntries(resource, merged);
                }
            }
            try (JarFile jarFile = new JarFile(file.toFile())) {
                instrumentation.appendToBootstrapClassLoaderSearch(jarFile);
            }
        } finally {
            // The JVM opened it when it was appended and reads it through that descriptor: the name
            // can go now, which leaves nothing behind, and lets a process image carry the jar's
            // bytes (CRIU saves unlinked files) instead of naming a file that may be gone.
            Files.delete(file);
        }
    }

    private static void copyEntries(String resource, JarOutputStream merged) throws IOException {
        try (InputStream in = BootstrapInjector.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("the agent jar has no " + resource + "; it was not built by the project's build");
            }
            try (JarInputStream nested = new JarInputStream(in)) {
                for (JarEntry entry; (entry = nested.getNextJarEntry()) != null; ) {
                    if (!entry.isDirectory()) {
                        merged.putNextEntry(new JarEntry(entry.getName()));
                        nested.transferTo(merged);
                        merged.closeEntry();
                    }
                }
            }
        }
    }
}
