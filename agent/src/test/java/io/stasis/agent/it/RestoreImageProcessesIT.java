package io.stasis.agent.it;

import static io.stasis.agent.it.ImageIT.TIMEOUT;
import static io.stasis.agent.it.ImageIT.app;
import static io.stasis.agent.it.ImageIT.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stasis.agent.testing.ForkedJvm;
import io.stasis.agent.testing.Jdk;
import io.stasis.agent.testing.Jdks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code restore-image} does with the processes around it: ids it needs, and what it started. */
class RestoreImageProcessesIT {

    private static final Pattern CORE_FILE = Pattern.compile("core-(\\d+)\\.img");
    private static final Path LAST_PID = Path.of("/proc/sys/kernel/ns_last_pid");

    @BeforeAll
    static void criuIsInstalled() throws Exception {
        ImageIT.criuIsInstalled();
    }

    /**
     * A thread id of the image held by another process: CRIU would fail part-way with "Unable to
     * create a thread: -17", and a fallback would start the application without the imaged state.
     */
    @Test
    void aThreadIdInUseIsRefusedAndTheImageKeptForALaterRestore(@TempDir Path tmp) throws Exception {
        Jdk jdk = Jdks.current();
        Path image = tmp.resolve("image");
        long pid;
        try (ForkedJvm app = app(jdk, tmp, "400").start()) {
            pid = app.pid();
            app.awaitLineContaining("tick 10 ", TIMEOUT);
            ForkedJvm cli = cli(jdk, "image", Long.toString(pid), "--dir", image.toString()).start();
            assertEquals(0, cli.awaitExit(TIMEOUT), cli.output());
            app.awaitExit(TIMEOUT);
        }
        List<Long> ids = threadIdsOf(image);
        long thread = ids.stream().filter(id -> id != pid).findFirst().orElseThrow();
        long lastPid = Long.parseLong(Files.readAllLines(LAST_PID).get(0).trim()); // readString reads a sysctl file short
        Process holder = occupy(thread);
        // New processes (this test's own JVMs among them) must not take the image's other ids.
        Files.writeString(LAST_PID, Long.toString(Math.max(lastPid, lastBeforeTheWidestGap(ids))));
        try {
            try (ForkedJvm refused = cli(jdk, "restore-image", image.toString()).start()) {
                assertEquals(1, refused.awaitExit(TIMEOUT), refused.output());
                String out = refused.output();
                assertTrue(out.contains("thread id " + thread + " of the image is in use by process " + thread + " (sleep)"),
                        out);
                assertTrue(out.contains("cannot be restored now, and is kept"), out);
                assertFalse(out.contains("starting the application normally"), "no fallback: " + out);
            }
        } finally {
            holder.destroyForcibly().waitFor();
        }
        try (ForkedJvm restored = cli(jdk, "restore-image", image.toString(), "--no-fallback").start()) {
            assertEquals(0, restored.awaitExit(TIMEOUT.multipliedBy(2)), restored.output());
            assertTrue(restored.output().contains("done 400"), restored.output());
            assertFalse(restored.output().contains("ready "), "restored, not started again: " + restored.output());
        }
    }

    /** After a fallback, a SIGTERM to restore-image stops the application it started. */
    @Test
    void aSigtermDuringTheFallbackReachesTheApplication(@TempDir Path tmp) throws Exception {
        Jdk jdk = Jdks.current();
        Path image = tmp.resolve("image");
        try (ForkedJvm app = app(jdk, tmp, "1000000").start()) {
            app.awaitLineContaining("tick 10 ", TIMEOUT);
            ForkedJvm cli = cli(jdk, "image", Long.toString(app.pid()), "--dir", image.toString()).start();
            assertEquals(0, cli.awaitExit(TIMEOUT), cli.output());
            app.awaitExit(TIMEOUT);
        }
        try (var files = Files.list(image)) {
            for (Path core : files.filter(p -> CORE_FILE.matcher(p.getFileName().toString()).matches()).toList()) {
                Files.delete(core); // an image that cannot be used: the application starts normally
            }
        }
        try (ForkedJvm restore = cli(jdk, "restore-image", image.toString()).start()) {
            restore.awaitLineContaining("ready ", TIMEOUT);
            assertTrue(restore.output().contains("starting the application normally"), restore.output());
            ProcessHandle application = ProcessHandle.of(restore.pid()).orElseThrow().descendants()
                    .filter(p -> p.info().command().map(c -> c.endsWith("/java")).orElse(false)).findFirst()
                    .orElseThrow(() -> new AssertionError("no application under restore-image"));
            ProcessHandle.of(restore.pid()).orElseThrow().destroy();
            restore.awaitExit(TIMEOUT);
            application.onExit().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            assertFalse(application.isAlive(), "the application is not left running");
        }
    }

    private static List<Long> threadIdsOf(Path image) throws IOException {
        try (var files = Files.list(image)) {
            return files.map(p -> CORE_FILE.matcher(p.getFileName().toString())).filter(Matcher::matches)
                    .map(m -> Long.parseLong(m.group(1))).sorted().toList();
        }
    }

    /**
     * The image's id after which the kernel's next ids are farthest from the image's other ids: its
     * highest, unless the application was started as the ids wrapped (from {@code pid_max} back to
     * 300), when the ids after its highest would wrap into its lowest; then the highest below the wrap.
     */
    private static long lastBeforeTheWidestGap(List<Long> ids) throws IOException {
        long max = Long.parseLong(Files.readAllLines(Path.of("/proc/sys/kernel/pid_max")).get(0).trim());
        long last = ids.get(ids.size() - 1);
        long widest = max - last + ids.get(0) - 300; // from the highest, through the wrap, to the lowest
        for (int i = 0; i + 1 < ids.size(); i++) {
            if (ids.get(i + 1) - ids.get(i) > widest) {
                widest = ids.get(i + 1) - ids.get(i);
                last = ids.get(i);
            }
        }
        return last;
    }

    /** A process holding {@code id}, made by setting the kernel's last PID just below it (as CRIU does). */
    private static Process occupy(long id) throws Exception {
        for (int attempt = 0; attempt < 100; attempt++) {
            Files.writeString(LAST_PID, Long.toString(id - 1));
            Process sleep = new ProcessBuilder("sleep", "600").start();
            if (sleep.pid() == id) {
                return sleep;
            }
            sleep.destroyForcibly().waitFor();
        }
        throw new AssertionError("could not start a process with id " + id + " in 100 tries");
    }
}
