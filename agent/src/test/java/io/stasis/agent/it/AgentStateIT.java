package io.stasis.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stasis.agent.it.apps.AllowApp;
import io.stasis.agent.it.apps.GateApp;
import io.stasis.agent.it.apps.PatternsApp;
import io.stasis.agent.it.apps.ShortLivedApp;
import io.stasis.agent.it.apps.StateApp;
import io.stasis.agent.testing.AgentLog;
import io.stasis.agent.testing.ForkedJvm;
import io.stasis.agent.testing.Jdk;
import io.stasis.agent.testing.Jdks;
import io.stasis.api.Stasis;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The agent in a second JVM, on every required JDK: what it restores, what it refuses, what it leaves alone. */
class AgentStateIT {

    private static final String CLASS_PATH = ForkedJvm.classPathOf(StateApp.class, Stasis.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @ParameterizedTest
    @MethodSource("io.stasis.agent.testing.Jdks#all")
    void restoresEveryKindOfStateAfterAnOrderlyExitAndAfterKill9(Jdk jdk, @TempDir Path dir) throws Exception {
        String first = runAdvance(jdk, dir, null, "advance-exit");
        String second = runAdvance(jdk, dir, first, "advance-wait");
        String third = runAdvance(jdk, dir, second, "advance-exit");
        runAdvance(jdk, dir, third, "advance-exit");
        assertNotEquals(first, second, "each run advances the state");
        assertNotEquals(second, third);
    }

    @ParameterizedTest
    @MethodSource("io.stasis.agent.testing.Jdks#all")
    void takesAFinalSnapshotOnSigtermAndOnSystemExit(Jdk jdk, @TempDir Path dir) throws Exception {
        String first = runAdvance(jdk, dir, null, "advance-sigterm");
        String second = runAdvance(jdk, dir, first, "advance-system-exit");
        runAdvance(jdk, dir, second, "advance-exit");
    }

    /**
     * Runs one generation in {@code mode}; asserts it starts from where the previous one ended;
     * returns where it ended.
     */
    private static String runAdvance(Jdk jdk, Path dir, String previousAfter, String mode) throws Exception {
        return runAdvance(jdk, dir, previousAfter, mode, "");
    }

    private static String runAdvance(Jdk jdk, Path dir, String previousAfter, String mode, String moreOptions)
            throws Exception {
        try (ForkedJvm app = ForkedJvm.on(jdk).agent("dir=" + dir + moreOptions).classPath(CLASS_PATH)
                .main(StateApp.class, mode).start()) {
            String before = app.awaitLineContaining("before=", TIMEOUT).substring("before=".length());
            String after = app.awaitLineContaining("after=", TIMEOUT).substring("after=".length());
            switch (mode) {
                case "advance-sigterm" -> {
                    app.awaitLineContaining("waiting for SIGTERM", TIMEOUT);
                    app.terminate();
                }
                case "advance-system-exit" -> app.awaitLineContaining("exiting", TIMEOUT);
                default -> app.awaitLineContaining("committed=", TIMEOUT);
            }
            if (previousAfter != null) {
                assertEquals(previousAfter, before, "restored state\n" + app.output());
                assertTrue(app.output().contains("restored=SNAPSHOT"), app.output());
            } else {
                assertTrue(before.startsWith("generation=0 history=null points=[Point[x=0, y=0]]"), before);
            }
            assertTrue(app.lines().stream().noneMatch(l -> l.contains("sun.misc.Unsafe")), "no Unsafe warnings:\n" + app.output());
            if (mode.equals("advance-wait")) {
                app.kill9();
            } else {
                int status = app.awaitExit(TIMEOUT);
                assertEquals(mode.equals("advance-sigterm") ? 143 : 0, status, app.output());
                assertTrue(app.output().contains("committed (exit)"), "an exit snapshot:\n" + app.output());
            }
            return after;
        }
    }

    @ParameterizedTest
    @MethodSource("io.stasis.agent.testing.Jdks#all")
    void fieldsAndUnitsOfWorkCanBeNamedInTheOptionsInsteadOfAnnotated(Jdk jdk, @TempDir Path dir) throws Exception {
        String legacy = PatternsApp.class.getName() + "$Legacy";
        String options = "dir=" + dir + ",on-exit=false,quiesce-timeout=300ms,fields=" + legacy + "#*,quiesce=" + legacy + "#process*";
        for (int run = 0; run < 2; run++) {
            try (ForkedJvm app = ForkedJvm.on(jdk).agent(options).classPath(CLASS_PATH).main(PatternsApp.class).start()) {
                assertEquals(0, app.awaitExit(TIMEOUT), app.output());
                String expected = run == 0 ? "restored processed=0 cache={}" : "restored processed=3 cache={a=2, b=1}";
                assertTrue(app.lines().contains(expected), app.output());
                assertTrue(app.output().contains("refused during the slow unit: checkpoint 'during-slow-unit' abandoned"),
                        app.output());
            }
        }
    }

    @ParameterizedTest
    @MethodSource("io.stasis.agent.testing.Jdks#all")
    void classesBeyondWhatTheRootsDeclareNeedTheAllowOption(Jdk jdk, @TempDir Path dir) throws Exception {
        String extra = "io.stasis.agent.it.apps.extra";
        String refused = runAllowApp(jdk, "dir=" + dir + ",on-exit=false");
        assertTrue(refused.contains("checkpoint refused: checkpoint 'test' failed: cannot capture"
                + " static io.stasis.agent.it.apps.AllowApp$Holder.items: class " + extra + ".Extra is not allowed"), refused);
        assertTrue(refused.contains("allow=" + extra + ".*"), "names the option that allows it:\n" + refused);

        String allowing = "dir=" + dir + ",on-exit=false,allow=" + extra + ".*";
        assertTrue(runAllowApp(jdk, allowing).contains("committed="));
        String restored = runAllowApp(jdk, allowing);
        assertTrue(restored.contains("restored items=[Extra[name=e0, weight=0]] skipped=[]"), restored);

        // The snapshot now holds an Extra: a start without the option leaves it unread, and says why.
        String strict = runAllowApp(jdk, "dir=" + dir + ",on-exit=false");
        assertTrue(strict.contains("restored items=[] skipped=[static io.stasis.agent.it.apps.AllowApp$Holder]"), strict);
        assertTrue(strict.contains("class " + extra + ".Extra is not allowed"), strict);
    }

    @ParameterizedTest
    @MethodSource("io.stasis.agent.testing.Jdks#all")
    void anEncryptedStoreRestoresWithItsKeyAndRefusesToStartWithAnother(Jdk jdk, @TempDir Path dir) throws Exception {
        Path store = dir.resolve("store");
        Path key = dir.resolve("key");
        Path other = dir.resolve("other-key");
        java.nio.file.Files.writeString(key, "0123456789abcdef".repeat(4) + "\n");
        java.nio.file.Files.writeString(other, "fedcba9876543210".repeat(4) + "\n");
        String first = runAdvance(jdk, store, null, "advance-exit", ",encryption-key=" + key);
        runAdvance(jdk, store, first, "advance-exit", ",encryption-key=" + key);

        String before = listing(store);
        for (String options : new String[] {"dir=" + store + ",encryption-key=" + other, "dir=" + store}) {
            try (ForkedJvm app = ForkedJvm.on(jdk).agent(options).classPath(CLASS_PATH)
                    .main(StateApp.class, "advance-exit").start()) {
                assertEquals(1, app.awaitExit(TIMEOUT), app.output());
                assertTrue(AgentLog.has(app.output(), "ERROR", "option 'encryption-key': manifests/snapshot-"), app.output());
                assertTrue(app.output().contains("nothing was restored or written"), app.output());
            }
            assertEquals(before, listing(store), "the store is untouched");
        }
    }

    @ParameterizedTest
    @MethodSource("io.stasis.agent.testing.Jdks#all")
    void snapshotsWrittenWithAndWithoutCompressionRestoreAlike(Jdk jdk, @TempDir Path dir) throws Exception {
        String first = runAdvance(jdk, dir, null, "advance-exit", ",compression=none");
        String second = runAdvance(jdk, dir, first, "advance-exit");
        runAdvance(jdk, dir, second, "advance-exit", ",compression=none");
    }

    private static String listing(Path store) throws java.io.IOException {
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.walk(store)) {
            StringBuilder s = new StringBuilder();
            for (Path f : files.filter(java.nio.file.Files::isRegularFile).sorted().toList()) {
                s.append(store.relativize(f)).append(' ').append(java.util.Arrays.hashCode(java.nio.file.Files.readAllBytes(f)))
                        .append('\n');
            }
            return s.toString();
        }
    }

    private static String runAllowApp(Jdk jdk, String options) throws Exception {
        try (ForkedJvm app = ForkedJvm.on(jdk).agent(options).classPath(CLASS_PATH).main(AllowApp.class).start()) {
            assertEquals(0, app.awaitExit(TIMEOUT), app.output());
            return app.output();
        }
    }

    @Test
    void runsWhereSunMiscUnsafeMemoryAccessIsDenied(@TempDir Path dir) throws Exception {
        Jdk jdk = Jdks.all().stream().filter(j -> j.feature() >= 24).findFirst()
                .orElseThrow(() -> new AssertionError("no JDK 24 or later to run with --sun-misc-unsafe-memory-access=deny"));
        for (int run = 0; run < 2; run++) {
            try (ForkedJvm app = ForkedJvm.on(jdk).jvmOption("--sun-misc-unsafe-memory-access=deny").agent("dir=" + dir)
                    .classPath(CLASS_PATH).main(StateApp.class, "advance-exit").start()) {
                assertEquals(0, app.awaitExit(TIMEOUT), app.output());
                assertTrue(app.output().contains("before=generation=" + run + " "), app.output());
            }
        }
    }

    @ParameterizedTest
    @MethodSource("io.stasis.agent.testing.Jdks#all")
    void aSecondUnkeyedInstanceIsAClearErrorAtCheckpointTime(Jdk jdk, @TempDir Path dir) throws Exception {
        try (ForkedJvm app = ForkedJvm.on(jdk).agent("dir=" + dir + ",on-exit=false").classPath(CLASS_PATH)
                .main(StateApp.class, "two-singletons").start()) {
            String refused = app.awaitLineContaining("checkpoint ", TIMEOUT);
            assertTrue(refused.contains("refused") && refused.contains("StateApp$Settings")
                    && refused.contains("singleton") && refused.contains("@CheckpointKey"), refused);
            assertEquals(0, app.awaitExit(TIMEOUT));
        }
    }

    @ParameterizedTest
    @MethodSource("io.stasis.agent.testing.Jdks#all")
    void stateThatCannotBeSnapshottedIsRefusedAtCheckpointTimeWithItsPath(Jdk jdk, @TempDir Path dir) throws Exception {
        try (ForkedJvm app = ForkedJvm.on(jdk).agent("dir=" + dir + ",on-exit=false").classPath(CLASS_PATH)
                .main(StateApp.class, "unsnapshottable").start()) {
            String refused = app.awaitLineContaining("checkpoint ", TIMEOUT);
            assertTrue(refused.startsWith("checkpoint refused: checkpoint 'test' failed: cannot capture static "
                    + StateApp.class.getName() + "$Workers.byName: java.lang.Thread cannot be part of a snapshot"), refused);
            assertEquals(0, app.awaitExit(TIMEOUT));
        }
        try (var files = java.nio.file.Files.list(dir)) {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().startsWith("snapshot-")), "nothing was written");
        }
    }

    @ParameterizedTest
    @MethodSource("io.stasis.agent.testing.Jdks#all")
    void withoutTheAgentTheApplicationRunsNormally(Jdk jdk) throws Exception {
        try (ForkedJvm app = ForkedJvm.on(jdk).classPath(CLASS_PATH).main(StateApp.class, "no-agent").start()) {
            assertEquals(0, app.awaitExit(TIMEOUT));
            assertTrue(app.lines().contains("active=false"), app.output());
            assertTrue(app.output().contains("restore=NONE"), app.output());
            assertTrue(app.output().contains("checkpoint refused: the Stasis agent is not running"), app.output());
            assertTrue(app.lines().stream().noneMatch(AgentLog::isAgentLine), app.output());
        }
    }

    @ParameterizedTest
    @MethodSource("io.stasis.agent.testing.Jdks#all")
    void unitsOfWorkLeaveTheGateOnEveryExit(Jdk jdk, @TempDir Path dir) throws Exception {
        try (ForkedJvm app = ForkedJvm.on(jdk).agent("dir=" + dir + ",quiesce-timeout=2s,on-exit=false")
                .classPath(CLASS_PATH).main(GateApp.class, "exits").start()) {
            assertEquals(0, app.awaitExit(TIMEOUT), app.output());
            assertTrue(app.lines().contains("recursion=200"), app.output());
            assertTrue(app.output().contains("checkpoint=1 units=1204"), app.output());
        }
    }

    @ParameterizedTest
    @MethodSource("io.stasis.agent.testing.Jdks#all")
    void aUnitThatOutlastsTheQuiesceTimeoutFailsThatCheckpointOnly(Jdk jdk, @TempDir Path dir) throws Exception {
        try (ForkedJvm app = ForkedJvm.on(jdk).agent("dir=" + dir + ",quiesce-timeout=300ms,on-exit=false")
                .classPath(CLASS_PATH).main(GateApp.class, "stuck").start()) {
            String refused = app.awaitLineContaining("refused: ", TIMEOUT);
            assertTrue(refused.contains("abandoned") && refused.contains("quiesce-timeout=300ms")
                    && refused.contains("stuck-worker"), refused);
            app.awaitLineContaining("still running, units=1", TIMEOUT);
            app.awaitLineContaining("checkpoint=1", TIMEOUT);
            assertEquals(0, app.awaitExit(TIMEOUT));
        }
    }

    @ParameterizedTest
    @MethodSource("io.stasis.agent.testing.Jdks#all")
    void registrationNeverKeepsInstancesAlive(Jdk jdk, @TempDir Path dir) throws Exception {
        // 1M instances of ~250 bytes each would need ~250 MB if registration held them; the heap has 48 MB.
        try (ForkedJvm app = ForkedJvm.on(jdk).jvmOption("-Xmx48m").agent("dir=" + dir + ",on-exit=false")
                .classPath(CLASS_PATH).main(ShortLivedApp.class, "1000000").start()) {
            assertEquals(0, app.awaitExit(Duration.ofMinutes(2)), app.output());
            String line = app.awaitLineContaining("created=", TIMEOUT);
            long collected = Long.parseLong(line.replaceAll(".*collected=(\\d+).*", "$1"));
            assertTrue(collected >= 990_000, line);
            assertTrue(app.output().contains("checkpoint=1 survivor=-1"), app.output());
        }
    }
}
