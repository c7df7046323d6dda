package io.stasis.agent.cli;

import java.io.File;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** {@code --class-path}: the application's classes, in a class loader of their own. */
final class ApplicationClasses {

    @Option(names = {"--class-path", "-cp"}, paramLabel = "PATH",
            description = {"The application's classes (jars and directories, separated by ':'; DIR/* for the jars in DIR), to read values as a restore would, in a class loader that"
                    + " sees only them and the JDK. Without it, values are read from the schemas stored with them,"
                    + " without any application class."})
    String classPath;

    /** The isolated class loader, or null without {@code --class-path}. */
    ClassLoader loader() throws IOException {
        if (classPath == null || classPath.isBlank()) {
            return null;
        }
        List<URL> urls = new ArrayList<>();
        for (String entry : classPath.split(File.pathSeparator)) {
            if (entry.isBlank()) {
                continue;
            }
            if (entry.endsWith("/*") || entry.equals("*")) {
                Path dir = Path.of(entry.substring(0, entry.length() - 1).isEmpty() ? "." : entry.substring(0, entry.length() - 1));
                try (DirectoryStream<Path> jars = Files.newDirectoryStream(dir, "*.{jar,JAR}")) {
                    for (Path jar : jars) {
                        urls.add(url(jar));
                    }
                }
                continue;
            }
            Path path = Path.of(entry);
            if (!Files.exists(path)) {
                throw new IOException("--class-path entry " + path.toAbsolutePath() + " does not exist: give the"
                        + " application's jars and class directories");
            }
            urls.add(url(path));
        }
        return new URLClassLoader("application", urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
    }

    private static URL url(Path path) throws MalformedURLException {
        return path.toAbsolutePath().toUri().toURL();
    }
}
