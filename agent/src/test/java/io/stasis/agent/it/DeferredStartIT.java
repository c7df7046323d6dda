package io.stasis.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stasis.agent.it.apps.CounterApp;
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

    /**
     * What {@code premain} must not load for an application that may have no state: the store, the
     * serializer's allow-list, the restore and the attach requests wait for their first use, on the
     * thread beside {@code main} at the soonest. The lines of the thread that runs {@code main} are
     * compared (the other thread may be ahead of it). From JDK 24 on, Kryo's {@code Util} class is
     * initialized before the application (see KryoBootstrap), but nothing more of Kryo.
     */
    @ParameterizedTest
    @MethodSource("io.stasis.agent.testing.Jdks#all")
    void premainLoadsNothingTheFirstCheckpointOrRestoreNeeds(Jdk jdk, @TempDir Path dir) throws Exception {
        List<String> loaded = run(jdk, "dir=" + dir, List.of("-Xlog:class+load=info:stdout:tid"), QuickExitApp.class);
        String mainLoad = loaded.get(indexOfLine(loaded, QuickExitApp.class.getName() + " source:"));
        String mainThread = mainLoad.substring(0, mainLoad.indexOf(']') + 1);
        List<String> beforeMain = loaded.subList(0, loaded.indexOf(mainLoad)).stream()
                .filter(l -> l.startsWith(mainThread)).toList();
        assertTrue(beforeMain.stream().anyMatch(l -> l.contains("io.stasis.agent.internal.BesideMain ")),
                "the thread's class loading is logged:\n" + String.join("\n", loaded));
        for (String unwanted : List.of("internal.OpenedStore ", "store.FileSnapshotStore ", "kryo.AllowedClasses ",
                "esotericsoftware.kryo.Kryo ", "restore.Restorer ", "capture.AttachRequest ", "image.ImageRequest ",
                "jackson")) {
            assertTrue(beforeMain.stream().noneMatch(l -> l.contains(unwanted)),
                    unwanted.trim() + " loaded before main:\n" + String.join("\n", beforeMain));
        }
    }

    /**
     * An owner's marks come from its class file as the instrumentation read it: finding and restoring
     * it makes no annotation instance, whose first one in a JVM spins proxy classes (20 to 30 ms).
     * (Kryo itself asks each class it meets for its annotations: this owner's classes have none.)
     */
    @ParameterizedTest
    @MethodSource("io.stasis.agent.testing.Jdks#all")
    void ownersAreFoundWithoutAnnotationInstances(Jdk jdk, @TempDir Path dir) throws Exception {
        String options = "dir=" + dir + ",interval=100ms";
        String classPath = ForkedJvm.classPathOf(CounterApp.class, Stasis.class);
        try (ForkedJvm first = ForkedJvm.on(jdk).agent(options).classPath(classPath).main(CounterApp.class).start()) {
            first.awaitLine(l -> l.startsWith("count=") && !l.equals("count=0"), TIMEOUT);
            first.awaitLineContaining("committed", TIMEOUT);
        }
        try (ForkedJvm second = ForkedJvm.on(jdk).jvmOption("-Xlog:class+load=info").agent(options).classPath(classPath)
                .main(CounterApp.class).start()) {
            String start = second.awaitLineContaining("start count=", TIMEOUT);
            List<String> lines = second.lines();
            assertTrue(!start.equals("start count=0"), "restored:\n" + String.join("\n", lines));
            assertTrue(lines.stream().anyMatch(l -> l.contains("io.stasis.agent.internal.state.OwnerType ")),
                    "class loading is logged:\n" + String.join("\n", lines));
            assertTrue(lines.stream().noneMatch(l -> l.contains("sun.reflect.annotation.AnnotationInvocationHandler ")),
                    "an annotation was instantiated:\n" + String.join("\n", lines));
        }
    }

    private static List<String> run(Jdk jdk, String options, Class<?> main, String... args) throws Exception {
        return run(jdk, options, List.of(), main, args);
    }

    private static List<String> run(Jdk jdk, String options, List<String> jvmOptions, Class<?> main, String... args)
            throws Exception {
        try (ForkedJvm app = ForkedJvm.on(jdk).jvmOption(jvmOptions.toArray(String[]::new)).agent(options)
                .classPath(CLASS_PATH).main(main, args).start()) {
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

    private static int indexOfLine(List<String> lines, String text) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(text)) {
                return i;
            }
        }
        throw new AssertionError("no line with " + text + " in\n" + String.join("\n", lines));
    }

    private static String lineStartingWith(List<String> lines, String prefix) {
        return lines.stream().filter(l -> l.startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError("no line " + prefix + " in\n" + String.join("\n", lines)));
    }
}
