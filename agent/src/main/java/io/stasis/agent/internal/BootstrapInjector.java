package io.stasis.agent.internal;

import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.jar.JarFile;

/**
 * Puts the bridge classes ({@code io.stasis.bootstrap}) on the bootstrap class path, where code in
 * every class loader can see them. They travel inside the agent jar as a nested jar, which is
 * copied to a private temporary file because the JVM appends only files on disk.
 */
public final class BootstrapInjector {

    static final String RESOURCE = "/META-INF/stasis/stasis-bootstrap.jar";

    private BootstrapInjector() {
    }

    public static void inject(Instrumentation instrumentation) throws IOException {
        try (InputStream jar = BootstrapInjector.class.getResourceAsStream(RESOURCE)) {
            if (jar == null) {
                throw new IOException("the agent jar has no " + RESOURCE + "; it was not built by the project's build");
            }
            // createTempFile makes the file readable by its owner only.
            Path file = Files.createTempFile("stasis-bootstrap-", ".jar");
            file.toFile().deleteOnExit();
            Files.copy(jar, file, StandardCopyOption.REPLACE_EXISTING);
            instrumentation.appendToBootstrapClassLoaderSearch(new JarFile(file.toFile()));
        }
    }
}
