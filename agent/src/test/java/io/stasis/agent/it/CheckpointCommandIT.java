package io.stasis.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stasis.agent.it.apps.ImageApp;
import io.stasis.agent.testing.ForkedJvm;
import io.stasis.agent.testing.Jdk;
import io.stasis.api.Stasis;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code checkpoint PID} of the built agent jar against a ticking application, with the agent
 * running in it and without.
 */
class CheckpointCommandIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String CLASS_PATH = ForkedJvm.classPathOf(ImageApp.class, Stasis.class, org.crac.Core.class);

    @ParameterizedTest
    @MethodSource("io.stasis.agent.testing.Jdks#all")
    void theRunningAgentTakesASnapshotOnRequestAndTheNextStartResumesFromIt(Jdk jdk, @TempDir Path tmp)
            throws Exception {
        Path data = tmp.resolve("data");
        try (ForkedJvm app = ForkedJvm.on(jdk).agent("dir=" + data + ",on-exit=false").classPath(CLASS_PATH)
                .main(ImageApp.class, "100000").start()) {
            app.awaitLineContaining("tick 5 ", TIMEOUT);
            try (ForkedJvm cli = cli(jdk, "checkpoint", Long.toString(app.pid()), "--reason", "ops").start()) {
                assertEquals(0, cli.awaitExit(TIMEOUT), cli.output());
                assertTrue(cli.output().contains("snapshot 1 of process " + app.pid() + " committed (ops)"), cli.output());
            }
            app.awaitLineContaining("checkpoint 1 committed (ops)", TIMEOUT);
            app.kill9();
        }
        try (ForkedJvm list = cli(jdk, "list", "--dir", data.toString()).start()) {
            assertEquals(0, list.awaitExit(TIMEOUT), list.output());
            assertTrue(list.output().contains(" ops ") && list.output().contains("1 snapshot(s)"), list.output());
        }
        try (ForkedJvm again = ForkedJvm.on(jdk).agent("dir=" + data).classPath(CLASS_PATH).main(ImageApp.class, "3")
                .start()) {
            assertEquals(0, again.awaitExit(TIMEOUT), again.output());
            assertTrue(again.output().contains("from SNAPSHOT"), again.output());
        }
    }

    @ParameterizedTest
    @MethodSource("io.stasis.agent.testing.Jdks#all")
    void withoutTheAgentItIsLoadedFirstAndRestoresNothingIntoTheLiveApplication(Jdk jdk, @TempDir Path tmp)
            throws Exception {
        Path data = tmp.resolve("data");
        try (ForkedJvm earlier = ForkedJvm.on(jdk).agent("dir=" + data).classPath(CLASS_PATH)
                .main(ImageApp.class, "50").start()) {
            assertEquals(0, earlier.awaitExit(TIMEOUT), earlier.output()); // its exit snapshot holds tick 50
        }
        try (ForkedJvm app = ForkedJvm.on(jdk).classPath(CLASS_PATH).main(ImageApp.class, "100000").start()) {
            app.awaitLineContaining("tick 5 ", TIMEOUT);
            try (ForkedJvm cli = cli(jdk, "checkpoint", Long.toString(app.pid()), "--agent-options",
                    "dir=" + data + ",on-exit=false", "--reason", "ops").start()) {
                assertEquals(0, cli.awaitExit(TIMEOUT), cli.output());
                assertTrue(cli.output().contains("snapshot 2 of process " + app.pid() + " committed (ops)"), cli.output());
            }
            assertTrue(app.output().contains("not restoring: restore=none"), app.output());
            long tick = ImageIT.tickOf(app.awaitLine(line -> line.startsWith("tick ") && ImageIT.tickOf(line) > 6, TIMEOUT));
            assertTrue(tick < 50, "it went on from its own state, not from the earlier snapshot: tick " + tick);
            app.kill9();
        }
        try (ForkedJvm list = cli(jdk, "list", "--dir", data.toString()).start()) {
            assertEquals(0, list.awaitExit(TIMEOUT), list.output());
            assertTrue(list.output().contains(" ops ") && list.output().contains("2 snapshot(s)"), list.output());
        }
    }

    @ParameterizedTest
    @MethodSource("io.stasis.agent.testing.Jdks#all")
    void badRequestsAreClearErrorsAndTheApplicationCarriesOn(Jdk jdk, @TempDir Path tmp) throws Exception {
        try (ForkedJvm cli = cli(jdk, "checkpoint", "2147483000").start()) {
            assertEquals(1, cli.awaitExit(TIMEOUT), cli.output());
            assertTrue(cli.output().contains("cannot attach to process 2147483000"), cli.output());
        }
        try (ForkedJvm app = ForkedJvm.on(jdk).classPath(CLASS_PATH).main(ImageApp.class, "100000").start()) {
            app.awaitLineContaining("tick 2 ", TIMEOUT);
            try (ForkedJvm cli = cli(jdk, "checkpoint", Long.toString(app.pid()), "--agent-options", "dir="
                    + tmp.resolve("data") + ",bogus=1").start()) {
                assertEquals(1, cli.awaitExit(TIMEOUT), cli.output());
                assertTrue(cli.output().contains("unknown option 'bogus'"), cli.output());
            }
            assertTrue(app.isAlive(), "the application carries on");
            app.kill9();
        }
    }

    private static ForkedJvm.Builder cli(Jdk jdk, String... args) {
        return ForkedJvm.on(jdk).jar(ForkedJvm.agentJar(), args);
    }
}
