package io.stasis.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stasis.agent.it.apps.CompressedStateApp;
import io.stasis.agent.testing.ForkedJvm;
import io.stasis.agent.testing.Jdk;
import io.stasis.agent.testing.Jdks;
import io.stasis.api.Stasis;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Once a JVM has compressed 16 MiB, the agent compresses chunks through lz4-java's native binding
 * where the JVM lets it load one without a warning, from a private copy, and what it wrote
 * restores (read in pure Java). From
 * JDK 24 on that takes {@code --enable-native-access=ALL-UNNAMED}; without it the agent stays in
 * pure Java and the JVM prints nothing. Where the library cannot load, the agent says so once and
 * compresses in pure Java.
 */
class NativeCompressionIT {

    private static final String CLASS_PATH = ForkedJvm.classPathOf(CompressedStateApp.class, Stasis.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String PRIVATE_COPY = ".*/stasis-lz4-[^/]+/liblz4-java\\.so:deleted";
    private static final Pattern RESULT = Pattern.compile("sequence=(\\d+) digest=(-?\\d+) lz4=(\\S+)");

    @ParameterizedTest
    @MethodSource("io.stasis.agent.testing.Jdks#all")
    void chunksAreCompressedNativelyWhereTheJvmAllowsItWithoutAWarning(Jdk jdk, @TempDir Path dir) throws Exception {
        String library = loadsQuietly(checkpointAndRestore(jdk, dir));
        if (jdk.feature() < 24) {
            assertTrue(library.matches(PRIVATE_COPY), "a private copy, removed once loaded: " + library);
        } else {
            assertEquals("none", library, "no native library without native access");
        }
    }

    @ParameterizedTest
    @MethodSource("restrictingNativeAccess")
    void withNativeAccessEnabledTheNativeCompressorLoads(Jdk jdk, @TempDir Path dir) throws Exception {
        String library = loadsQuietly(checkpointAndRestore(jdk, dir, "--enable-native-access=ALL-UNNAMED"));
        assertTrue(library.matches(PRIVATE_COPY), "a private copy, removed once loaded: " + library);
    }

    @Test
    void whereTheLibraryCannotLoadChunksAreCompressedInPureJava(@TempDir Path dir) throws Exception {
        // lz4-java ships no library for this platform: the agent looks for one and finds none.
        Run run = checkpointAndRestore(Jdks.current(), dir, "-Dos.arch=sparcv9");
        assertEquals("none", run.library());
        assertEquals(1, run.lines().stream().filter(line -> line.contains("LZ4 chunks are compressed in pure Java"))
                .count(), String.join("\n", run.lines()));
    }

    static Stream<Jdk> restrictingNativeAccess() {
        return Jdks.all().stream().filter(jdk -> jdk.feature() >= 24);
    }

    /** What the first JVM printed, and the lz4-java library it had mapped ({@code none}). */
    record Run(List<String> lines, String library) {
    }

    /** The library, after checking that the JVM warned of nothing and the agent had nothing to say about it. */
    private static String loadsQuietly(Run run) {
        String output = String.join("\n", run.lines());
        assertTrue(run.lines().stream().noneMatch(line -> line.contains("WARNING")), output);
        assertTrue(run.lines().stream().noneMatch(line -> line.contains("pure Java")), output);
        return run.library();
    }

    /** Checkpoints, then restores in a second JVM the same way. */
    private static Run checkpointAndRestore(Jdk jdk, Path dir, String... jvmOptions) throws Exception {
        Matcher result;
        List<String> lines;
        try (ForkedJvm app = ForkedJvm.on(jdk).jvmOption(jvmOptions).agent("dir=" + dir + ",on-exit=false")
                .classPath(CLASS_PATH).main(CompressedStateApp.class).start()) {
            result = RESULT.matcher(app.awaitLineContaining("digest=", TIMEOUT));
            assertTrue(result.find(), app.output());
            assertEquals(0, app.awaitExit(TIMEOUT), app.output());
            lines = app.lines();
        }
        try (ForkedJvm app = ForkedJvm.on(jdk).jvmOption(jvmOptions).agent("dir=" + dir + ",on-exit=false")
                .classPath(CLASS_PATH).main(CompressedStateApp.class).start()) {
            assertEquals("restored digest=" + result.group(2),
                    app.awaitLineContaining("restored digest=", TIMEOUT).trim(), app.output());
        }
        return new Run(lines, result.group(3));
    }
}
