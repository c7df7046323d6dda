package io.stasis.agent.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * The JDKs that agent tests run on: 17 (the baseline) and 25. Found as the JDK running the tests
 * or under {@code /usr/lib/jvm} (or {@code $STASIS_JDK_ROOT}). A missing JDK is reported loudly; in
 * CI ({@code CI=true}) it fails the tests instead of shrinking them.
 */
public final class Jdks {

    public static final int[] REQUIRED = {17, 25};

    private static List<Jdk> found;

    private Jdks() {
    }

    /** For {@code @MethodSource}: every required JDK that is installed. */
    public static synchronized List<Jdk> all() {
        if (found == null) {
            List<Jdk> jdks = new ArrayList<>();
            List<Integer> missing = new ArrayList<>();
            for (int feature : REQUIRED) {
                find(feature).ifPresentOrElse(jdks::add, () -> missing.add(feature));
            }
            if (!missing.isEmpty()) {
                String message = "JDK " + missing + " not found (looked at java.home and under " + root()
                        + "); agent tests run on " + jdks + " only";
                if ("true".equals(System.getenv("CI"))) {
                    throw new IllegalStateException("CI=true and " + message);
                }
                System.err.println("\n!!!!! WARNING: " + message + " !!!!!\n");
            }
            found = List.copyOf(jdks);
        }
        return found;
    }

    /** The JDK running the tests, for tests that need just one. */
    public static Jdk current() {
        return new Jdk(Runtime.version().feature(), Path.of(System.getProperty("java.home")));
    }

    private static Optional<Jdk> find(int feature) {
        if (Runtime.version().feature() == feature) {
            return Optional.of(current());
        }
        Path root = root();
        if (!Files.isDirectory(root)) {
            return Optional.empty();
        }
        try (Stream<Path> homes = Files.list(root)) {
            return homes.sorted().filter(home -> feature(home) == feature && Files.isExecutable(home.resolve("bin/java")))
                    .findFirst().map(home -> new Jdk(feature, home));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path root() {
        String root = System.getenv("STASIS_JDK_ROOT");
        return Path.of(root != null ? root : "/usr/lib/jvm");
    }

    /** The feature version from the JDK's {@code release} file, or -1. */
    private static int feature(Path home) {
        Path release = home.resolve("release");
        if (!Files.isRegularFile(release)) {
            return -1;
        }
        Properties properties = new Properties();
        try (var reader = Files.newBufferedReader(release)) {
            properties.load(reader);
        } catch (IOException e) {
            return -1;
        }
        String version = properties.getProperty("JAVA_VERSION", "").replace("\"", "");
        try {
            return Integer.parseInt(version.split("[.+-]")[0]);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
