package io.stasis.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stasis.agent.it.apps.LateLoaderApp;
import io.stasis.agent.testing.AgentLog;
import io.stasis.agent.testing.ForkedJvm;
import io.stasis.agent.testing.Jdk;
import io.stasis.api.Stasis;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The agent builds its instrumentation only when a class first needs it: a class with state that
 * a child class loader defines ten seconds after start-up is still instrumented, captured at exit
 * and restored in the next run.
 */
class LateClassIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.stasis.agent.testing.Jdks#all")
    void aClassLoadedLateByAChildLoaderIsInstrumentedAndRestored(Jdk jdk, @TempDir Path dir) throws Exception {
        assertEquals("late loader: true, late count=1", run(jdk, dir, "10000", "").line());
        // The checkpoint the application takes before the owner appears says the root is waiting;
        // its arrival is said too.
        Run second = run(jdk, dir, "0", "");
        assertEquals("late loader: true, late count=2", second.line());
        List<String> restoreLines = AgentLog.messages(second.output(), "INFO").stream()
                .filter(l -> l.startsWith("restore from snapshot")).toList();
        assertEquals(2, restoreLines.size(), second.output());
        assertTrue(restoreLines.get(0).contains("0 of 1 roots restored so far, 1 waiting for their owner to appear"),
                restoreLines.get(0));
        assertTrue(restoreLines.get(1).endsWith("1 of 1 roots restored"), restoreLines.get(1));
    }

    private record Run(String line, String output) {
    }

    private static Run run(Jdk jdk, Path dir, String waitMillis, String moreOptions) throws Exception {
        String classes = ForkedJvm.locationOf(LateLoaderApp.class);
        try (ForkedJvm app = ForkedJvm.on(jdk).agent("dir=" + dir.resolve("state") + moreOptions)
                .classPath(ForkedJvm.classPathOf(LateLoaderApp.class, Stasis.class))
                .main(LateLoaderApp.class, waitMillis, classes).start()) {
            String line = app.awaitLineContaining("late count=", TIMEOUT);
            assertEquals(0, app.awaitExit(TIMEOUT), app.output());
            return new Run(line, app.output());
        }
    }
}
