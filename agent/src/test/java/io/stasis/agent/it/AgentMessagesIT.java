package io.stasis.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stasis.agent.it.apps.GateApp;
import io.stasis.agent.it.apps.StateApp;
import io.stasis.agent.testing.Command;
import io.stasis.agent.testing.AgentLog;
import io.stasis.agent.testing.ForkedJvm;
import io.stasis.agent.testing.Jdk;
import io.stasis.agent.testing.Required;
import io.stasis.agent.internal.store.FileSnapshotStore;
import io.stasis.agent.internal.store.Root;
import io.stasis.agent.internal.store.Snapshot;
import io.stasis.api.Stasis;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What the agent says in an application's first minutes: each message names the option, the path
 * and the fix, and nothing reads as a failure when nothing failed.
 */
class AgentMessagesIT {

    private static final String CLASS_PATH = ForkedJvm.classPathOf(StateApp.class, Stasis.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String COUNTERS = StateApp.class.getName() + "$Counters";

    @ParameterizedTest
    @MethodSource("io.stasis.agent.testing.Jdks#all")
    void patternsThatMatchNothingAreNamedOnceTheMainClassHasLoaded(Jdk jdk, @TempDir Path dir) throws Exception {
        String options = "dir=" + dir + ",on-exit=false,fields=" + COUNTERS + "#generaton;" + COUNTERS + "#history;"
                + "com.acme.Cahce#*,quiesce=" + StateApp.class.getName() + "#mian";
        try (ForkedJvm app = ForkedJvm.on(jdk).agent(options).classPath(CLASS_PATH).main(StateApp.class, "advance-wait")
                .start()) {
            app.awaitLineContaining("pattern '" + StateApp.class.getName() + "#mian' has matched no method", TIMEOUT);
            app.awaitLineContaining("holds nothing for option 'fields' pattern 'com.acme.Cahce#*'", TIMEOUT);
            List<String> warnings = AgentLog.messages(app.lines(), "WARNING");
            assertTrue(warnings.contains("option 'fields' pattern '" + COUNTERS + "#generaton' has matched no field of any "
                    + "class loaded so far: check the class and field names (CLASS#FIELD, '*' matches any run of "
                    + "characters, nested classes are Outer$Inner)"), app.output());
            assertTrue(warnings.stream().anyMatch(w -> w.startsWith("option 'fields' pattern 'com.acme.Cahce#*' has matched")),
                    app.output());
            assertTrue(warnings.stream().noneMatch(w -> w.contains(COUNTERS + "#history")), "it matched:\n" + app.output());
            assertTrue(AgentLog.has(app.lines(), "WARNING", "checkpoint 1 holds nothing for option 'fields' pattern '"
                    + COUNTERS + "#generaton': it still matches no field of any loaded class"), app.output());
            app.kill9();
        }
    }

    static Stream<Jdk> jdk() {
        return Stream.of(io.stasis.agent.testing.Jdks.all().get(0));
    }

    @ParameterizedTest
    @MethodSource("jdk")
    void aDirBelowAFileIsNamedWithItsCause(Jdk jdk, @TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("afile"), "x");
        String error = startUpError(jdk, "dir=" + file.resolve("state"));
        assertEquals("option 'dir': " + file + " is a file, not a directory, so no store can be made in "
                + file.resolve("state") + "; give a directory, or a path that does not exist yet", error);
    }

    @ParameterizedTest
    @MethodSource("jdk")
    void aMissingKeyFileSaysHowToMakeOne(Jdk jdk, @TempDir Path dir) throws Exception {
        Path key = dir.resolve("no-such.key");
        String error = startUpError(jdk, "dir=" + dir.resolve("state") + ",encryption-key=" + key);
        assertTrue(error.startsWith("option 'encryption-key': the key file " + key + " does not exist: make one with "
                + "'openssl rand -hex 32 > "), error);
    }

    /** A store on a read-only filesystem (a read-only bind mount, which stops root too) still restores. */
    @ParameterizedTest
    @MethodSource("jdk")
    void aStoreThatCannotBeWrittenStillRestores(Jdk jdk, @TempDir Path dir) throws Exception {
        Required.component("root".equals(System.getProperty("user.name")), "a read-only bind mount needs root");
        Path store = dir.resolve("state");
        String options = "dir=" + store + ",on-exit=false";
        String after;
        try (ForkedJvm first = ForkedJvm.on(jdk).agent(options).classPath(CLASS_PATH).main(StateApp.class, "advance-exit")
                .start()) {
            assertEquals(0, first.awaitExit(TIMEOUT), first.output());
            after = first.lines().stream().filter(l -> l.startsWith("after=")).findFirst().orElseThrow();
        }
        run("mount", "--bind", store.toString(), store.toString());
        try {
            run("mount", "-o", "remount,ro,bind", store.toString());
            try (ForkedJvm second = ForkedJvm.on(jdk).agent(options).classPath(CLASS_PATH)
                    .main(StateApp.class, "advance-exit").start()) {
                second.awaitExit(TIMEOUT);
                assertTrue(second.lines().contains(after.replace("after=", "before=")), "restored:\n" + second.output());
                List<String> warnings = AgentLog.messages(second.lines(), "WARNING");
                assertEquals(List.of("option 'dir': " + store + " cannot be written (read-only file system ("
                        + store.resolve(".lock") + ")): restoring from it, but taking no checkpoints; give a writable dir "
                        + "to take them"), warnings, second.output());
                assertTrue(AgentLog.has(second.lines(), "INFO", "agent active (restore only, no checkpoints): dir="),
                        second.output());
                assertFalse(second.output().contains("the agent could not start"), second.output());
            }
        } finally {
            run("umount", store.toString());
        }
    }

    @ParameterizedTest
    @MethodSource("jdk")
    void unchangedStateIsNotWrittenAgain(Jdk jdk, @TempDir Path dir) throws Exception {
        String options = "dir=" + dir + ",on-exit=false,interval=100ms";
        try (ForkedJvm app = ForkedJvm.on(jdk).agent(options).classPath(CLASS_PATH).main(StateApp.class, "advance-wait")
                .start()) {
            String committed = app.awaitLineContaining("committed=", TIMEOUT);
            Thread.sleep(1_000); // ten more intervals
            app.kill9();
            List<String> info = AgentLog.messages(app.lines(), "INFO");
            // The application's own checkpoint is the last one written: the state never changes after it.
            // The last by number, not by line: a first interval checkpoint cut before it may log after it.
            String last = info.stream().filter(m -> m.startsWith("checkpoint ") && m.contains(" committed ("))
                    .max(java.util.Comparator.comparingLong(m -> Long.parseLong(m.split(" ")[1])))
                    .orElseThrow(() -> new AssertionError(app.output()));
            assertTrue(last.contains("committed (test)"), app.output());
            assertTrue(last.startsWith("checkpoint " + committed.substring("committed=".length()) + " committed"), last);
            // Said once a minute at most: at the first interval with nothing new, whenever that was.
            assertEquals(1, info.stream().filter(m -> m.matches("nothing changed since checkpoint \\d+: not written again "
                    + "\\(said at most once a minute\\)")).count(), app.output());
        }
    }

    @ParameterizedTest
    @MethodSource("jdk")
    void logChoosesWhereTheLinesGoAndHowMany(Jdk jdk, @TempDir Path dir) throws Exception {
        String base = "dir=" + dir + ",on-exit=false,fields=" + COUNTERS + "#typo";
        List<String> off = linesOf(jdk, base + ",log=off");
        assertTrue(off.stream().noneMatch(AgentLog::isAgentLine), String.join("\n", off));

        List<String> warnings = linesOf(jdk, base + ",log.level=warning");
        assertTrue(AgentLog.messages(warnings, "INFO").isEmpty(), String.join("\n", warnings));
        assertTrue(AgentLog.has(warnings, "WARNING", "checkpoint "), String.join("\n", warnings));

        // System.Logger with no logging framework: java.util.logging's console handler, its own format.
        List<String> system = linesOf(jdk, base + ",log=system");
        assertTrue(system.stream().noneMatch(AgentLog::isAgentLine), String.join("\n", system));
        assertTrue(system.stream().anyMatch(l -> l.startsWith("INFO: agent active: dir=")), String.join("\n", system));
    }

    @ParameterizedTest
    @MethodSource("jdk")
    void aStoreOfAnotherApplicationIsReportedOnce(Jdk jdk, @TempDir Path dir) throws Exception {
        try (FileSnapshotStore store = FileSnapshotStore.openForWriting(dir)) {
            store.write(new Snapshot(store.nextSequence(), Instant.now(), "other", 0, List.of(
                    new Root(Root.Kind.STATIC, "com.other.Ledger", null, List.of("entries"), new byte[] {0}))));
        }
        String options = "dir=" + dir + ",on-exit=false,interval=100ms";
        try (ForkedJvm app = ForkedJvm.on(jdk).agent(options).classPath(CLASS_PATH).main(StateApp.class, "advance-wait")
                .start()) {
            // Said once the application has had ten seconds to make its class loaders, not before.
            app.awaitLineContaining("of classes this application does not have", TIMEOUT);
            Thread.sleep(1_000); // ten more checkpoints, which must not say it again
            app.kill9();
            List<String> foreign = AgentLog.messages(app.lines(), "WARNING").stream()
                    .filter(m -> m.contains("of classes this application does not have")).toList();
            assertEquals(List.of("snapshot 1 holds 1 root(s) of classes this application does not have: static "
                    + "com.other.Ledger; was its dir written by another application? They are kept in new snapshots; "
                    + "give each application its own dir"), foreign, app.output());
        }
    }

    /** A unit of work that does not end fails each interval the same way: said once, not every 100 ms. */
    @ParameterizedTest
    @MethodSource("jdk")
    void theSameFailureEveryIntervalIsLoggedOnce(Jdk jdk, @TempDir Path dir) throws Exception {
        String options = "dir=" + dir + ",on-exit=false,interval=100ms,quiesce-timeout=100ms";
        try (ForkedJvm app = ForkedJvm.on(jdk).agent(options).classPath(ForkedJvm.classPathOf(GateApp.class, Stasis.class))
                .main(GateApp.class, "stuck").start()) {
            assertEquals(0, app.awaitExit(TIMEOUT), app.output());
            List<String> abandoned = AgentLog.messages(app.lines(), "ERROR").stream()
                    .filter(m -> m.startsWith("checkpoint 'interval' abandoned: 1 thread(s) still inside a unit of work "
                            + "after quiesce-timeout=100ms: stuck-worker")).toList();
            // The worker is inside its unit for three seconds: about ten intervals fail alike.
            assertEquals(1, abandoned.size(), app.output());
        }
    }

    private static List<String> linesOf(Jdk jdk, String options) throws Exception {
        try (ForkedJvm app = ForkedJvm.on(jdk).agent(options).classPath(CLASS_PATH).main(StateApp.class, "advance-exit")
                .start()) {
            assertEquals(0, app.awaitExit(TIMEOUT), app.output());
            return app.lines();
        }
    }

    /** The one error line a start-up stopped with; the application did not run. */
    private static String startUpError(Jdk jdk, String options) throws Exception {
        try (ForkedJvm app = ForkedJvm.on(jdk).agent(options).classPath(CLASS_PATH).main(StateApp.class, "advance-exit")
                .start()) {
            assertEquals(1, app.awaitExit(TIMEOUT), app.output());
            assertTrue(app.lines().stream().noneMatch(l -> l.startsWith("before=")), "the application must not run");
            List<String> errors = AgentLog.messages(app.lines(), "ERROR");
            assertEquals(1, errors.size(), app.output());
            assertFalse(errors.get(0).contains("the agent could not start"), errors.get(0));
            return errors.get(0);
        }
    }

    private static void run(String... command) throws Exception {
        Command.Result result = Command.run(command);
        assertEquals(0, result.exitCode(), String.join(" ", command) + ": " + result.output());
    }
}
