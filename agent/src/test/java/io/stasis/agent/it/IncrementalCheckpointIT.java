package io.stasis.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stasis.agent.it.apps.EntryMapApp;
import io.stasis.agent.testing.ForkedJvm;
import io.stasis.agent.testing.Jdk;
import io.stasis.api.Stasis;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A checkpoint after a small change writes about the change: the agent tells the store where the
 * entries of a captured map start, so a changed value of 1,000 bytes rewrites about twice that,
 * not the 8 KB or so that cutting by content alone rewrites.
 */
class IncrementalCheckpointIT {

    private static final String CLASS_PATH = ForkedJvm.classPathOf(EntryMapApp.class, Stasis.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Pattern RESULT = Pattern.compile("first=(\\d+) second=(\\d+) digest=(-?\\d+)");

    @ParameterizedTest
    @MethodSource("io.stasis.agent.testing.Jdks#all")
    void onePercentOfAMapsValuesChangedWritesUnderFourPercent(Jdk jdk, @TempDir Path dir) throws Exception {
        Matcher result;
        try (ForkedJvm app = ForkedJvm.on(jdk).agent("dir=" + dir + ",on-exit=false").classPath(CLASS_PATH)
                .main(EntryMapApp.class).start()) {
            result = RESULT.matcher(app.awaitLineContaining("digest=", TIMEOUT));
            assertTrue(result.find(), app.output());
            assertEquals(0, app.awaitExit(TIMEOUT), app.output());
        }
        long first = Files.size(pack(dir, Long.parseLong(result.group(1))));
        long second = Files.size(pack(dir, Long.parseLong(result.group(2))));
        assertTrue(first > 4_000_000, first + " bytes in the first pack");
        assertTrue(second < first * 4 / 100, second + " bytes written for 1 % changed, against " + first);

        try (ForkedJvm app = ForkedJvm.on(jdk).agent("dir=" + dir + ",on-exit=false").classPath(CLASS_PATH)
                .main(EntryMapApp.class).start()) {
            assertEquals("restored digest=" + result.group(3), app.awaitLineContaining("restored digest=", TIMEOUT).trim(),
                    app.output());
        }
    }

    private static Path pack(Path dir, long sequence) {
        return dir.resolve(String.format("packs/pack-%016d.pack", sequence));
    }
}
