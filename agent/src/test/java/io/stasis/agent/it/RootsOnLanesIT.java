package io.stasis.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.stasis.agent.it.apps.TwoVaultsApp;
import io.stasis.agent.testing.ForkedJvm;
import io.stasis.agent.testing.Jdk;
import io.stasis.api.Stasis;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Two large roots written on two lanes at once stay one consistent cut: after each {@code kill -9}
 * of a JVM that moves money between them and checkpoints in a loop, what it restores has the
 * opening total and equal transfer counts, and is the last snapshot it reported committed or a
 * later one.
 */
class RootsOnLanesIT {

    private static final int KILLS = 8;
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String CLASS_PATH = ForkedJvm.classPathOf(TwoVaultsApp.class, Stasis.class);
    private static final Pattern RESTORED = Pattern.compile(
            "restored sequence=(\\d+) total=(\\d+) expected=(\\d+) transfers=(\\d+)/(\\d+)");

    @ParameterizedTest
    @MethodSource("io.stasis.agent.testing.Jdks#all")
    void everyRestoredCutHoldsTheTotal(Jdk jdk, @TempDir Path dir) throws Exception {
        assumeTrue(Runtime.getRuntime().availableProcessors() >= 2, "one core: every cut is written in sequence");
        Random random = new Random(17);
        long lastCommitted = 0;
        boolean lanesSeen = false;
        for (int kill = 0; kill <= KILLS; kill++) {
            try (ForkedJvm app = ForkedJvm.on(jdk).agent("dir=" + dir + ",on-exit=false,keep=3").classPath(CLASS_PATH)
                    .main(TwoVaultsApp.class).start()) {
                if (kill > 0) {
                    Matcher restored = RESTORED.matcher(app.awaitLineContaining("restored ", TIMEOUT));
                    assertTrue(restored.find(), app.output());
                    assertEquals(restored.group(3), restored.group(2), "kill " + kill + ": the total\n" + app.output());
                    assertEquals(restored.group(4), restored.group(5), "kill " + kill + ": the transfer counts");
                    assertTrue(Long.parseLong(restored.group(1)) >= lastCommitted,
                            "kill " + kill + ": restored " + restored.group(1) + ", committed " + lastCommitted);
                }
                if (kill == KILLS) {
                    break;
                }
                // Past the first cut, which has no sizes to go by and is written in sequence.
                app.awaitLine(line -> line.startsWith("committed ") && line.endsWith("lanes=true"), TIMEOUT);
                Thread.sleep(random.nextInt(300));
                app.kill9();
                for (String line : app.lines()) {
                    if (line.startsWith("committed ")) {
                        lastCommitted = Long.parseLong(line.substring(10, line.indexOf(' ', 10)));
                        lanesSeen |= line.endsWith("lanes=true");
                    }
                }
            }
        }
        assertTrue(lanesSeen, "the agent wrote the roots on its lanes");
    }
}
