package io.stasis.agent.internal.instrument;

import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * The application's main class, named by the launcher's command line ({@code java Main} or the
 * {@code Main-Class} of {@code java -jar app.jar}), and whether the JVM has loaded it yet.
 */
final class MainClass {

    private MainClass() {
    }

    /** The main class's name, or {@code null} when the launcher did not say (an embedded JVM). */
    static String name() {
        String command = System.getProperty("sun.java.command");
        if (command == null || command.isBlank()) {
            return null;
        }
        String first = command.strip().split("\\s+", 2)[0];
        if (!first.endsWith(".jar")) {
            return first.contains("/") ? first.substring(first.indexOf('/') + 1) : first; // module/class
        }
        try (JarFile jar = new JarFile(Path.of(first).toFile(), false)) {
            Manifest manifest = jar.getManifest();
            return manifest == null ? null : manifest.getMainAttributes().getValue(Attributes.Name.MAIN_CLASS);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Whether a class of that name has been loaded by the system class loader or one it delegates to. */
    static boolean loaded(Instrumentation instrumentation, String name) {
        for (Class<?> type : instrumentation.getInitiatedClasses(ClassLoader.getSystemClassLoader())) {
            if (type.getName().equals(name)) {
                return true;
            }
        }
        return false;
    }
}
