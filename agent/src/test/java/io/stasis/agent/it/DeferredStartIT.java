package io.stasis.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stasis.agent.it.apps.FacadeFirstApp;
import io.stasis.agent.it.apps.QuickExitApp;
import io.stasis.agent.it.apps.StateApp;
import io.stasis.agent.testing.AgentLog;
import io.stasis.agent.testing.ForkedJvm;
import io.stasis.agent.testing.Jdk;
import io.stasis.api.Stasis;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The part of start-up that runs beside {@code main} (opening the store, choosing the snapshot):
 * a JVM that ends before it is done loses nothing, and a failure found there still stops the JVM.
 * One that owns no state writes no exit snapshot: it has nothing to keep. The bootstrap bridge is
 * defined there too, or sooner by the first thread that needs it (here, the facade's).
 */
class DeferredStartIT {

    private static final String CLASS_PATH = ForkedJvm.classPathOf(StateApp.class, Stasis.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @ParameterizedTest
    @MethodSource("io.stasis.agent.testing.Jdks#all")
    void aJvmThatOwnsNoStateAndEndsBeforeStartUpIsDoneLeavesTheStoreAsItWas(Jdk jdk, @TempDir Path dir)
            throws Exception {
        String options = "dir=" + dir;
        List<String> firstRun = run(jdk, options, StateApp.class, "advance-exit");
        String first = lineStartingWith(firstRun, "after=");
        String firstId = AgentLog.messages(firstRun, "INFO").stream().filter(m -> m.contains("committed (exit)"))
                .findFirst().orElseThrow().split(" ")[1];

        List<String> quick = run(jdk, options, QuickExitApp.class);
        assertTrue(quick.contains("done") && AgentLog.has(quick, "INFO", "no checkpoint on exit: no class with "
                + "@Checkpointed fields was loaded"), String.join("\n", quick));
        assertEquals(-1, indexOfMessage(quick, "committed"), "no snapshot written:\n" + String.join("\n", quick));
        int active = indexOfMessage(quick, "agent active");
        int restoring = indexOfMessage(quick, "restoring from snapshot " + firstId + " ");
        int exit = indexOfMessage(quick, "no checkpoint on exit");
        assertTrue(active >= 0 && restoring >= 0 && active < exit && restoring < exit,
                "start-up's lines, then the exit's:\n" + String.join("\n", quick));

        List<String> third = run(jdk, options, StateApp.class, "advance-exit");
        assertTrue(AgentLog.has(third, "INFO", "restoring from snapshot " + firstId + " "), String.join("\n", third));
        assertEquals(first.substring("after=".length()), lineStartingWith(third, "before=").substring("before=".length()),
                "the state the first run left, untouched by the run that owned none");
    }

    @ParameterizedTest
    @MethodSource("io.stasis.agent.testing.Jdks#all")
    void aJvmThatOwnsNoStateStillWritesOnExitAfterRestoreNone(Jdk jdk, @TempDir Path dir) throws Exception {
        String options = "dir=" + dir;
        run(jdk, options, StateApp.class, "advance-exit");

        List<String> fresh = run(jdk, options + ",restore=none", QuickExitApp.class);
        String freshId = AgentLog.messages(fresh, "INFO").stream().filter(m -> m.contains("committed (exit)"))
                .findFirst().orElseThrow(() -> new AssertionError(String.join("\n", fresh))).split(" ")[1];

        List<String> third = run(jdk, options, StateApp.class, "advance-exit");
        assertTrue(AgentLog.has(third, "INFO", "restoring from snapshot " + freshId + " "), String.join("\n", third));
    }

    @ParameterizedTest
    @MethodSource("io.stasis.agent.testing.Jdks#all")
    void aStoreThatCannotBeMadeStopsTheJvmEvenWhenMainHasEnded(Jdk jdk, @TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "not a directory");
        try (ForkedJvm app = ForkedJvm.on(jdk).agent("dir=" + file.resolve("state")).classPath(CLASS_PATH)
                .main(QuickExitApp.class).start()) {
            assertEquals(1, app.awaitExit(TIMEOUT), app.output());
            List<String> errors = AgentLog.messages(app.lines(), "ERROR");
            assertEquals(1, errors.size(), app.output());
            assertTrue(errors.get(0).startsWith("option 'dir': " + file + " is a file, not a directory"), errors.get(0));
        }
    }

    @ParameterizedTest
    @MethodSource("io.stasis.agent.testing.Jdks#all")
    void theFacadeWorksFromMainsFirstLineThoughTheBridgeIsDefinedBesideMain(Jdk jdk, @TempDir Path dir)
            throws Exception {
        List<String> lines = run(jdk, "dir=" + dir, FacadeFirstApp.class);
        assertTrue(lines.contains("active=true"), "the facade found the agent at once:\n" + String.join("\n", lines));
        String id = lineStartingWith(lines, "checkpoint=").substring("checkpoint=".length());
        assertTrue(AgentLog.has(lines, "INFO", "checkpoint " + id + " committed (first)"), String.join("\n", lines));
    }

    private static List<String> run(Jdk jdk, String options, Class<?> main, String... args) throws Exception {
        try (ForkedJvm app = ForkedJvm.on(jdk).agent(options).classPath(CLASS_PATH).main(main, args).start()) {
            assertEquals(0, app.awaitExit(TIMEOUT), app.output());
            assertTrue(AgentLog.messages(app.lines(), "ERROR").isEmpty(), app.output());
            return app.lines();
        }
    }

    private static int indexOfMessage(List<String> lines, String text) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("[stasis]") && lines.get(i).contains(text)) {
                return i;
            }
        }
        return -1;
    }

    private static String lineStartingWith(List<String> lines, String prefix) {
        return lines.stream().filter(l -> l.startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError("no line " + prefix + " in\n" + String.join("\n", lines)));
    }
}
