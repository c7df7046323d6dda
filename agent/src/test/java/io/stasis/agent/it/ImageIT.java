package io.stasis.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stasis.agent.it.apps.ImageApp;
import io.stasis.agent.it.apps.ServiceApp;
import io.stasis.agent.testing.ForkedJvm;
import io.stasis.agent.testing.Jdk;
import io.stasis.agent.testing.Jdks;
import io.stasis.agent.testing.OtherUser;
import io.stasis.agent.testing.Plaintext;
import io.stasis.agent.testing.Required;
import io.stasis.api.Stasis;
import io.stasis.forensics.AgeKeys;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.jar.JarOutputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Full-process images with the real CRIU on a stock JDK: {@code image PID} and
 * {@code restore-image DIR} of the built agent jar against a ticking application that registers an
 * {@code org.crac} Resource through its own copy of {@code org.crac}.
 */
class ImageIT {

    static final Duration TIMEOUT = Duration.ofSeconds(60);
    static final Path DEFAULT_AUTH_KEY = Path.of(System.getProperty("user.home"), ".config/stasis/image-auth.key");
    private static final String CLASS_PATH = ForkedJvm.classPathOf(ImageApp.class, Stasis.class, org.crac.Core.class);

    @BeforeAll
    static void criuIsInstalled() throws Exception {
        Path criu = Path.of(System.getenv().getOrDefault("STASIS_CRIU", "/opt/stasis-criu/bin/criu"));
        Process check = Files.isExecutable(criu) ? new ProcessBuilder(criu.toString(), "--version").start() : null;
        Required.component(check != null && check.waitFor() == 0,
                "CRIU is not installed at " + criu + " (crac-integration/scripts/install-criu.sh); image tests need it");
    }

    @ParameterizedTest
    @MethodSource("io.stasis.agent.testing.Jdks#all")
    void anImagedProcessComesBackWithItsHeapAndItsResourcesHearOnce(Jdk jdk, @TempDir Path tmp) throws Exception {
        Path image = tmp.resolve("image");
        long pid;
        long ticksAtImage;
        try (ForkedJvm app = app(jdk, tmp, "200").start()) {
            pid = app.pid();
            app.awaitLineContaining("tick 10 ", TIMEOUT);
            ForkedJvm cli = cli(jdk, "image", Long.toString(pid), "--dir", image.toString()).start();
            assertEquals(0, cli.awaitExit(TIMEOUT), cli.output());
            assertTrue(cli.output().contains("the process has exited"), cli.output());
            app.awaitExit(TIMEOUT);
            ticksAtImage = lastTick(app.lines());
            assertTrue(app.output().contains("resource beforeCheckpoint #1"), app.output());
            assertTrue(!app.output().contains("done"), "the imaged process did not run to its end");
        }
        assertPrivate(image);
        // CRIU's logs are written in a private directory of their own, never through a link planted
        // where they used to be.
        Path victim = Files.writeString(tmp.resolve("victim"), "precious");
        Files.setPosixFilePermissions(victim, PosixFilePermissions.fromString("rw-------"));
        for (String log : List.of("criu-restore.log", "criu-dump.log")) {
            Files.createSymbolicLink(image.resolve(log), victim);
        }

        try (ForkedJvm restored = cli(jdk, "restore-image", image.toString()).start()) {
            assertEquals(0, restored.awaitExit(TIMEOUT), restored.output());
            assertEquals("precious", Files.readString(victim), "a planted log link was not followed");
            for (String log : List.of("criu-restore.log", "criu-dump.log")) {
                Files.delete(image.resolve(log));
            }
            assertPrivate(image);
            String out = restored.output();
            assertEquals(1, count(restored.lines(), "resource afterRestore #"), out);
            assertTrue(out.contains("resource afterRestore #1"), "notified once, in the restored process: " + out);
            assertTrue(out.contains("restored from the full-process image in " + image), out);
            assertTrue(out.contains("done 200"), "it ran to its end: " + out);
            assertTrue(!out.contains("ready "), "it did not start again: " + out);
            long firstTick = firstTick(restored.lines());
            assertTrue(firstTick > ticksAtImage && firstTick <= ticksAtImage + 2,
                    "it carried on from tick " + ticksAtImage + ", not from zero: " + firstTick);
            assertTrue(out.contains("tick 200 IMAGE"), "Stasis.lastRestore() says IMAGE: " + out);
        } finally {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    /** A server: its listening socket comes back with the process, as do its warm cache and its count. */
    @ParameterizedTest
    @MethodSource("io.stasis.agent.testing.Jdks#all")
    void aServiceComesBackListeningOnItsSocketWithItsState(Jdk jdk, @TempDir Path tmp) throws Exception {
        Path image = tmp.resolve("image");
        long pid;
        String port;
        // Started as JVMs are by default: with its performance-data file mapped (no -XX:-UsePerfData).
        try (ForkedJvm app = ForkedJvm.on(jdk).launcher("setsid")
                .agent("dir=" + tmp.resolve("data")).classPath(ForkedJvm.classPathOf(ServiceApp.class, Stasis.class))
                .main(ServiceApp.class).directory(tmp).start()) {
            pid = app.pid();
            String[] listening = app.awaitLineContaining("listening ", TIMEOUT).split(" ");
            port = listening[1];
            assertEquals("requests=1 cache=10000 source=NONE", get(port));
            assertEquals("requests=2 cache=10000 source=NONE", get(port));
            ForkedJvm cli = cli(jdk, "image", Long.toString(pid), "--dir", image.toString()).start();
            assertEquals(0, cli.awaitExit(TIMEOUT), cli.output());
            app.awaitExit(TIMEOUT);
        }
        try (ForkedJvm restored = cli(jdk, "restore-image", image.toString()).start()) {
            String answer = null;
            for (long deadline = System.nanoTime() + TIMEOUT.toNanos(); answer == null && System.nanoTime() < deadline; ) {
                try {
                    answer = get(port);
                } catch (IOException notYet) {
                    Thread.sleep(50);
                }
            }
            assertEquals("requests=3 cache=10000 source=IMAGE", answer, restored.output());
            // The restored server's threads answer as soon as CRIU lets them run, possibly before the
            // agent's own line is written: wait for it rather than read what has arrived so far.
            restored.awaitLineContaining("restored from the full-process image in " + image, TIMEOUT);
            assertTrue(!restored.output().contains("starting the application normally"), restored.output());
        } finally {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    private static String get(String port) throws IOException, InterruptedException {
        java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + port + "/")).timeout(Duration.ofSeconds(10)).build();
        return client.send(request, java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    }

    @ParameterizedTest
    @MethodSource("io.stasis.agent.testing.Jdks#all")
    void leaveRunningNotifiesTheResourcesAndTheProcessCarriesOn(Jdk jdk, @TempDir Path tmp) throws Exception {
        Path image = tmp.resolve("image");
        // 400 ticks (8 s): time for a slow machine's CLI to start and attach before the application ends.
        try (ForkedJvm app = app(jdk, tmp, "400").start()) {
            app.awaitLineContaining("tick 10 ", TIMEOUT);
            ForkedJvm cli = cli(jdk, "image", Long.toString(app.pid()), "--dir", image.toString(), "--leave-running")
                    .start();
            assertEquals(0, cli.awaitExit(TIMEOUT), cli.output());
            assertEquals(0, app.awaitExit(TIMEOUT), app.output());
            assertEquals(1, count(app.lines(), "resource beforeCheckpoint #"), app.output());
            assertEquals(1, count(app.lines(), "resource afterRestore #"), app.output());
            assertTrue(app.output().contains("full-process image written to " + image + "; this process carries on"),
                    app.output());
            assertTrue(app.output().contains("tick 400 NONE"), "not restored, so not from an image: " + app.output());
        }
        assertTrue(Files.exists(image.resolve("stasis-image.json")));
    }

    @ParameterizedTest
    @MethodSource("io.stasis.agent.testing.Jdks#all")
    void withForensicsOnTheImageOfAProcessThatCarriesOnStillRestores(Jdk jdk, @TempDir Path tmp) throws Exception {
        // The forensics JFR recording writes a chunk file; had it stayed open, the process carrying on
        // would grow it and CRIU would refuse the restore ("bad size").
        Path image = tmp.resolve("image");
        String forensics = ",forensics=on,forensics.recipients=" + AgeKeys.generate().recipient() + ",forensics.dir="
                + tmp.resolve("bundles");
        long pid;
        try (ForkedJvm app = app(jdk, tmp, "400").agent("dir=" + tmp.resolve("data") + forensics).start()) {
            pid = app.pid();
            app.awaitLineContaining("tick 10 ", TIMEOUT);
            ForkedJvm cli = cli(jdk, "image", Long.toString(pid), "--dir", image.toString(), "--leave-running").start();
            assertEquals(0, cli.awaitExit(TIMEOUT), cli.output());
            app.awaitLineContaining("tick 160 ", TIMEOUT); // a few seconds: JFR writes out about once a second
            app.kill9();
        }
        try (ForkedJvm restored = cli(jdk, "restore-image", image.toString(), "--no-fallback").start()) {
            assertEquals(0, restored.awaitExit(TIMEOUT), restored.output());
            assertTrue(restored.output().contains("restored from the full-process image in " + image), restored.output());
            assertTrue(restored.output().contains("done 400"), restored.output());
        } finally {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    @ParameterizedTest
    @MethodSource("io.stasis.agent.testing.Jdks#all")
    void theApplicationCanAskForItsOwnImageThroughOrgCrac(Jdk jdk, @TempDir Path tmp) throws Exception {
        Path image = tmp.resolve("data").resolve("image");
        long pid;
        try (ForkedJvm app = app(jdk, tmp, "60", "self-image").start()) {
            pid = app.pid();
            app.awaitExit(TIMEOUT);
            assertTrue(app.output().contains("resource beforeCheckpoint #1 at tick 20"), app.output());
            assertTrue(!app.output().contains("checkpointRestore returned"), "the imaged process exits: " + app.output());
        }
        awaitNoDumper(image);
        assertPrivate(image);
        try (ForkedJvm restored = cli(jdk, "restore-image", image.toString()).start()) {
            assertEquals(0, restored.awaitExit(TIMEOUT), restored.output());
            assertTrue(restored.output().contains("checkpointRestore returned: IMAGE"), restored.output());
            assertTrue(restored.output().contains("done 60"), restored.output());
        } finally {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    @ParameterizedTest
    @MethodSource("io.stasis.agent.testing.Jdks#all")
    void anImageTheApplicationAsksForThatCannotBeTakenFailsAtOnceWithTheReason(Jdk jdk, @TempDir Path tmp)
            throws Exception {
        // No CRIU where the dumper looks: it refuses the process, and the process must hear why at
        // once rather than wait out its two minutes.
        try (ForkedJvm app = ForkedJvm.on(jdk).launcher("env", "STASIS_CRIU=" + tmp.resolve("no-criu"), "setsid")
                .agent("dir=" + tmp.resolve("data"))
                .classPath(CLASS_PATH).main(ImageApp.class, "60", "self-image").directory(tmp).start()) {
            // Under the old wait this outlasts TIMEOUT, and would end saying only "nothing dumped".
            assertEquals(1, app.awaitExit(TIMEOUT), app.output());
            assertTrue(app.output().contains("CRIU is not installed (looked at " + tmp.resolve("no-criu")), app.output());
            assertEquals(1, count(app.lines(), "resource afterRestore #"), "notified, as on a CRaC JDK: " + app.output());
            assertTrue(!app.output().contains("checkpointRestore returned"), app.output());
        }
    }

    /**
     * A JVM started with a JDK 25 AOT cache (trained with the agent, as the JDK requires) maps the
     * cache's file; its image restores as long as that file is unchanged.
     */
    @Test
    void aJvmStartedWithAnAotCacheIsImagedAndRestored(@TempDir Path tmp) throws Exception {
        Jdk jdk = Jdks.all().stream().filter(j -> j.feature() >= 25).findFirst().orElse(null);
        Required.component(jdk != null, "no JDK 25 to test the AOT cache on");
        // An AOT cache takes a class path of jars only.
        Path jar = tmp.resolve("app.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            ClassDataSharingIT.copyClasses(ImageApp.class, name -> name.startsWith(ImageApp.class.getSimpleName()), out);
            ClassDataSharingIT.copyClasses(Stasis.class, name -> true, out);
            ClassDataSharingIT.copyClasses(org.crac.Core.class, name -> true, out);
        }
        Path configuration = tmp.resolve("app.aotconf");
        Path cache = tmp.resolve("app.aot");
        for (String[] step : List.of(new String[] {"-XX:AOTMode=record", "-XX:AOTConfiguration=" + configuration},
                new String[] {"-XX:AOTMode=create", "-XX:AOTConfiguration=" + configuration, "-XX:AOTCache=" + cache})) {
            try (ForkedJvm training = app(jdk, tmp, "3").classPath(jar.toString()).jvmOption(step).start()) {
                assertEquals(0, training.awaitExit(TIMEOUT), training.output());
            }
        }
        Path image = tmp.resolve("image");
        long ticksAtImage;
        try (ForkedJvm app = app(jdk, tmp, "400").classPath(jar.toString())
                .jvmOption("-XX:AOTCache=" + cache, "-XX:AOTMode=on").start()) {
            app.awaitLineContaining("tick 10 ", TIMEOUT);
            ForkedJvm cli = cli(jdk, "image", Long.toString(app.pid()), "--dir", image.toString()).start();
            assertEquals(0, cli.awaitExit(TIMEOUT), cli.output());
            app.awaitExit(TIMEOUT);
            ticksAtImage = lastTick(app.lines());
        }
        try (ForkedJvm restored = cli(jdk, "restore-image", image.toString(), "--no-fallback").start()) {
            assertEquals(0, restored.awaitExit(TIMEOUT), restored.output());
            assertEquals(ticksAtImage + 1, firstTick(restored.lines()), "it carries on where it was: " + restored.output());
            assertTrue(restored.output().contains("done 400"), restored.output());
        }
    }

    /** The heap is collected and shrunk before the dump: the image holds live data, not garbage. */
    @ParameterizedTest
    @MethodSource("io.stasis.agent.testing.Jdks#all")
    void anImageHoldsTheLiveHeapNotTheGarbage(Jdk jdk, @TempDir Path tmp) throws Exception {
        int garbageMb = 300;
        try (ForkedJvm app = app(jdk, tmp, "100000").jvmOption("-Xmx1g").jvmOption("-DgarbageMb=" + garbageMb).start()) {
            app.awaitLineContaining("tick 5 ", TIMEOUT);
            ForkedJvm cli = cli(jdk, "image", Long.toString(app.pid()), "--dir", tmp.resolve("image").toString()).start();
            assertEquals(0, cli.awaitExit(TIMEOUT), cli.output());
            Matcher line = Pattern.compile("written to .*: \\d+ files, ([0-9.]+) MB \\(live heap after a collection: ([0-9.]+) MB\\)")
                    .matcher(cli.output());
            assertTrue(line.find(), cli.output());
            double imageMb = Double.parseDouble(line.group(1));
            double liveMb = Double.parseDouble(line.group(2));
            assertTrue(liveMb < 50, "the garbage is not live: " + cli.output());
            assertTrue(imageMb < garbageMb / 2.0, "the " + garbageMb + " MB of garbage the heap had grown by are not in the image: "
                    + cli.output());
            app.awaitExit(TIMEOUT);
        }
    }

    @ParameterizedTest
    @MethodSource("io.stasis.agent.testing.Jdks#all")
    void aDamagedImageFallsBackToAnOrdinaryStartFromTheSnapshot(Jdk jdk, @TempDir Path tmp) throws Exception {
        Path image = tmp.resolve("image");
        long ticksAtImage;
        // 200 ticks (4 s): time for a slow machine's CLI to start and attach before the application ends.
        try (ForkedJvm app = app(jdk, tmp, "200").start()) {
            app.awaitLineContaining("tick 10 ", TIMEOUT);
            ForkedJvm cli = cli(jdk, "image", Long.toString(app.pid()), "--dir", image.toString()).start();
            assertEquals(0, cli.awaitExit(TIMEOUT), cli.output());
            app.awaitExit(TIMEOUT);
            ticksAtImage = lastTick(app.lines());
        }
        Path pages = Files.list(image).filter(p -> p.getFileName().toString().startsWith("pages-")).findFirst()
                .orElseThrow();
        flipByteInTheMiddle(pages);

        try (ForkedJvm refused = cli(jdk, "restore-image", image.toString(), "--no-fallback").start()) {
            assertEquals(1, refused.awaitExit(TIMEOUT), refused.output());
            assertTrue(refused.output().contains("image file " + pages.getFileName() + " is damaged"), refused.output());
            // The pages are checked while CRIU restores, the process held stopped: it never ticked.
            assertTrue(refused.lines().stream().noneMatch(l -> l.startsWith("tick ")), refused.output());
        }
        try (ForkedJvm fallback = cli(jdk, "restore-image", image.toString()).start()) {
            assertEquals(0, fallback.awaitExit(TIMEOUT), fallback.output());
            String out = fallback.output();
            assertTrue(out.contains("starting the application normally"), out);
            assertTrue(out.contains("ready ") && out.contains("from SNAPSHOT"), "an ordinary start: " + out);
            long firstTick = firstTick(fallback.lines());
            assertTrue(firstTick > ticksAtImage - 2 && firstTick <= ticksAtImage + 1,
                    "its state came from the snapshot taken with the image (tick " + ticksAtImage + "): " + firstTick);
            assertTrue(out.contains("done 200"), out);
        }
    }

    @ParameterizedTest
    @MethodSource("io.stasis.agent.testing.Jdks#all")
    void anEncryptedImageKeepsNothingInTheClearAndOpensOnlyWithItsKey(Jdk jdk, @TempDir Path tmp) throws Exception {
        AgeKeys.Pair pair = AgeKeys.generate();
        Path key = Files.writeString(tmp.resolve("key.txt"), pair.identity() + "\n");
        Path otherKey = Files.writeString(tmp.resolve("other-key.txt"), AgeKeys.generate().identity() + "\n");
        String marker = "stasis-marker-" + UUID.randomUUID();
        Path image = tmp.resolve("image");
        // Anyone can write to /dev/shm: what others put there stops no image, and is left alone.
        Path planted = Path.of("/dev/shm/stasis-image-999999-" + UUID.randomUUID());
        OtherUser.require().own(Files.writeString(planted, "x"));
        try {
            anEncryptedImage(jdk, tmp, pair, key, otherKey, marker, image);
            assertTrue(Files.exists(planted), "left alone");
        } finally {
            Files.deleteIfExists(planted);
        }
    }

    private void anEncryptedImage(Jdk jdk, Path tmp, AgeKeys.Pair pair, Path key, Path otherKey, String marker,
                                  Path image) throws Exception {
        long pid;
        try (ForkedJvm app = app(jdk, tmp, "200").jvmOption("-Dmarker=" + marker).start()) {
            pid = app.pid();
            app.awaitLineContaining("tick 10 ", TIMEOUT);
            ForkedJvm cli = cli(jdk, "image", Long.toString(pid), "--dir", image.toString(), "--recipient",
                    pair.recipient()).start();
            assertEquals(0, cli.awaitExit(TIMEOUT), cli.output());
            assertTrue(cli.output().contains("with age"), cli.output());
            app.awaitExit(TIMEOUT);
        }
        assertEquals(List.of(), stagedImages(), "nothing is left in memory-backed storage");
        assertPrivate(image);
        assertTrue(Files.readString(image.resolve("stasis-image.json")).contains("\"encryption\" : \"age\""),
                "the visible manifest says how the image is encrypted");
        List<Path> stored = Files.walk(image).filter(Files::isRegularFile).toList(); // CRIU's log too
        assertTrue(stored.stream().noneMatch(p -> p.toString().endsWith(".img")), "no plain image file: " + stored);
        boolean markerInPlainImage = false;
        for (Path file : stored) {
            byte[] bytes = Files.readAllBytes(file);
            assertTrue(!Plaintext.contains(bytes, marker), file + " holds the process's memory in the clear");
            if (file.toString().endsWith(".age")) {
                ByteArrayOutputStream plain = new ByteArrayOutputStream();
                AgeKeys.decrypt(new ByteArrayInputStream(bytes), plain, AgeKeys.readIdentities(key));
                markerInPlainImage |= Plaintext.contains(plain.toByteArray(), marker);
            }
        }
        assertTrue(markerInPlainImage, "the marker is in the process's memory, so in the decrypted image");

        try (ForkedJvm noKey = cli(jdk, "restore-image", image.toString(), "--no-fallback").start()) {
            assertEquals(1, noKey.awaitExit(TIMEOUT), noKey.output());
            assertTrue(noKey.output().contains("is encrypted (age): give the key that opens it"), noKey.output());
        }
        try (ForkedJvm wrongKey = cli(jdk, "restore-image", image.toString(), "--no-fallback", "--identity",
                otherKey.toString()).start()) {
            assertEquals(1, wrongKey.awaitExit(TIMEOUT), wrongKey.output());
            assertTrue(wrongKey.output().contains("stasis-image.json.age cannot be decrypted"), wrongKey.output());
            assertEquals(List.of(), stagedImages(), "the decrypted part is removed");
        }
        try (ForkedJvm restored = cli(jdk, "restore-image", image.toString(), "--identity", key.toString()).start()) {
            restored.awaitLineContaining("tick ", TIMEOUT);
            while (!stagedImages().isEmpty() && restored.isAlive()) {
                Thread.sleep(5);
            }
            boolean runningWhenRemoved = restored.isAlive();
            assertEquals(List.of(), stagedImages(), "the plain image is removed once CRIU has read it");
            assertTrue(runningWhenRemoved, "... while the restored process still runs, not when it ends");
            assertEquals(0, restored.awaitExit(TIMEOUT), restored.output());
            assertEquals(1, count(restored.lines(), "resource afterRestore #"), restored.output());
            assertTrue(restored.output().contains("tick 200 IMAGE"), restored.output());
        } finally {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }

        // Killed outright while it decrypts, restore-image leaves the plain part behind ...
        try (ForkedJvm killed = cli(jdk, "restore-image", image.toString(), "--no-fallback", "--identity",
                key.toString()).start()) {
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (stagedImages().isEmpty() && System.nanoTime() - deadline < 0) {
                Thread.sleep(2);
            }
            killed.kill9();
        } finally {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
        List<Path> leftBehind = stagedImages();
        assertEquals(1, leftBehind.size(), "kill -9 gives no chance to clean up");

        // ... which the next image command removes, whatever becomes of it.
        Path pages = Files.list(image).filter(p -> p.getFileName().toString().startsWith("pages-")).findFirst()
                .orElseThrow();
        flipByteInTheMiddle(pages);
        try (ForkedJvm damaged = cli(jdk, "restore-image", image.toString(), "--no-fallback", "--identity",
                key.toString()).start()) {
            assertEquals(1, damaged.awaitExit(TIMEOUT), damaged.output());
            assertTrue(damaged.output().contains("image file " + pages.getFileName() + " is damaged"),
                    damaged.output());
            assertTrue(damaged.output().contains("removed " + leftBehind.get(0) + ", a decrypted image that process"),
                    damaged.output());
            assertEquals(List.of(), stagedImages(), "the decrypted part is removed");
        }
    }

    @ParameterizedTest
    @MethodSource("io.stasis.agent.testing.Jdks#all")
    void whatCannotWorkIsRefusedBeforeAnythingIsTouched(Jdk jdk, @TempDir Path tmp) throws Exception {
        try (ForkedJvm cli = cli(jdk, "image", "2147483000", "--dir", tmp.resolve("none").toString()).start()) {
            assertEquals(1, cli.awaitExit(TIMEOUT), cli.output());
            assertTrue(cli.output().contains("no process 2147483000"), cli.output());
        }
        try (ForkedJvm app = ForkedJvm.on(jdk).agent("dir=" + tmp.resolve("data")).classPath(CLASS_PATH)
                .main(ImageApp.class, "1000").start()) {
            app.awaitLineContaining("tick 2 ", TIMEOUT);
            try (ForkedJvm cli = ForkedJvm.on(jdk).launcher("env", "STASIS_CRIU=" + tmp.resolve("no-criu"))
                    .jar(ForkedJvm.agentJar(), "image", Long.toString(app.pid()), "--dir", tmp.resolve("none").toString())
                    .start()) {
                assertEquals(1, cli.awaitExit(TIMEOUT), cli.output());
                assertTrue(cli.output().contains("CRIU is not installed"), cli.output());
            }
            assertTrue(app.isAlive(), "the application was not touched");
            assertTrue(!Files.exists(tmp.resolve("none")), "nothing was written");
            assertEquals(0, count(app.lines(), "resource beforeCheckpoint"), app.output());
        }
    }

    @ParameterizedTest
    @MethodSource("io.stasis.agent.testing.Jdks#all")
    void aBusyPidAnotherHostOrNoPrivilegeIsRefusedBeforeAnythingIsTouched(Jdk jdk, @TempDir Path tmp)
            throws Exception {
        Path image = tmp.resolve("image");
        // Root without capabilities: what CRIU needs is CAP_CHECKPOINT_RESTORE (or CAP_SYS_ADMIN), not uid 0.
        String[] unprivileged = {"setpriv", "--bounding-set=-all"};
        try (ForkedJvm app = app(jdk, tmp, "100000").start()) {
            long pid = app.pid();
            app.awaitLineContaining("tick 5 ", TIMEOUT);
            ForkedJvm cli = cli(jdk, "image", Long.toString(pid), "--dir", image.toString(), "--leave-running").start();
            assertEquals(0, cli.awaitExit(TIMEOUT), cli.output());
            try (ForkedJvm busy = cli(jdk, "restore-image", image.toString(), "--no-fallback").start()) {
                assertEquals(1, busy.awaitExit(TIMEOUT), busy.output());
                assertTrue(busy.output().contains("process " + pid + " is running: the imaged process's PID must be free"),
                        busy.output());
            }
            try (ForkedJvm refused = cli(jdk, "image", Long.toString(pid), "--dir", tmp.resolve("again").toString())
                    .launcher(unprivileged).start()) {
                assertEquals(1, refused.awaitExit(TIMEOUT), refused.output());
                assertTrue(refused.output().contains("CRIU needs root (or CAP_CHECKPOINT_RESTORE)"), refused.output());
            }
            assertTrue(app.isAlive(), "the application was not touched");
            assertTrue(!Files.exists(tmp.resolve("again")), "nothing was written");
            app.kill9();
        }

        // What another host would present: another build of the JDK, a CPU without a feature the image's had.
        Path manifest = image.resolve("stasis-image.json");
        Files.writeString(manifest, Files.readString(manifest)
                .replaceFirst("(\"libjvmCrc32c\"\\s*:\\s*\")[0-9a-f]+\"", "$1ffffffff\"")
                .replaceFirst("(\"flags\"\\s*:\\s*\\[)", "$1 \"stasis_test_feature\","));
        authenticate(image, DEFAULT_AUTH_KEY);
        try (ForkedJvm refused = cli(jdk, "restore-image", image.toString(), "--no-fallback").start()) {
            assertEquals(1, refused.awaitExit(TIMEOUT), refused.output());
            assertTrue(refused.output().contains("a different JDK build is installed at "), refused.output());
            assertTrue(refused.output().contains("lacks features the imaged JVM may use: stasis_test_feature"),
                    refused.output());
        }
        try (ForkedJvm refused = cli(jdk, "restore-image", image.toString(), "--no-fallback").launcher(unprivileged)
                .start()) {
            assertEquals(1, refused.awaitExit(TIMEOUT), refused.output());
            assertTrue(refused.output().contains("CRIU needs root (or CAP_CHECKPOINT_RESTORE) to restore"),
                    refused.output());
        }
    }

    @ParameterizedTest
    @MethodSource("io.stasis.agent.testing.Jdks#all")
    void aSessionLedFromOutsideThePidNamespaceIsRefusedBeforeAnythingIsTouched(Jdk jdk, @TempDir Path tmp)
            throws Exception {
        // As in a container whose first process never called setsid: the application is PID 1 of a
        // new PID namespace, its session leader out of sight, and the command runs in that namespace.
        List<String> container = List.of("unshare", "--pid", "--fork", "--kill-child", "--mount-proc");
        try (ForkedJvm app = app(jdk, tmp, container, "1000").start()) {
            app.awaitLineContaining("tick 2 ", TIMEOUT);
            long jvm = ProcessHandle.of(app.pid()).orElseThrow().children().findFirst().orElseThrow().pid();
            try (ForkedJvm cli = cli(jdk, "image", "1", "--dir", tmp.resolve("refused").toString())
                    .launcher("nsenter", "--target", Long.toString(jvm), "--pid", "--mount").start()) {
                assertEquals(1, cli.awaitExit(TIMEOUT), cli.output());
                assertTrue(cli.output().contains("belongs to a session whose leader is outside its PID namespace"),
                        cli.output());
                assertTrue(cli.output().contains("setsid"), "it says what to do: " + cli.output());
            }
            assertTrue(ProcessHandle.of(jvm).map(ProcessHandle::isAlive).orElse(false), "the application was not touched");
            assertTrue(!Files.exists(tmp.resolve("refused")), "nothing was written");
            assertEquals(0, count(app.lines(), "resource beforeCheckpoint"), app.output());
        }
    }

    /**
     * The application, in a session of its own as an imaged process must be: an inherited session
     * may be led from outside the PID namespace, as in containers.
     */
    static ForkedJvm.Builder app(Jdk jdk, Path tmp, String... args) {
        return app(jdk, tmp, List.of("setsid"), args);
    }

    private static ForkedJvm.Builder app(Jdk jdk, Path tmp, List<String> launcher, String... args) {
        return ForkedJvm.on(jdk).launcher(launcher.toArray(String[]::new))
                .agent("dir=" + tmp.resolve("data")).classPath(CLASS_PATH).main(ImageApp.class, args).directory(tmp);
    }

    private static void flipByteInTheMiddle(Path path) throws IOException {
        try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "rw")) {
            file.seek(file.length() / 2);
            int b = file.read();
            file.seek(file.length() / 2);
            file.write(b ^ 0x10);
        }
    }

    /** Decrypted images in memory-backed storage: there only while CRIU works on them. */
    static List<Path> stagedImages() throws IOException {
        Path staging = Path.of("/dev/shm/stasis-0");
        if (!Files.isDirectory(staging)) {
            return List.of();
        }
        try (var entries = Files.list(staging)) {
            return entries.filter(p -> p.getFileName().toString().startsWith("stasis-image-")).toList();
        }
    }

    /** The image directory and everything an image writes there: its user's alone. */
    static void assertPrivate(Path image) throws IOException {
        try (var all = Files.walk(image)) {
            for (Path path : all.toList()) {
                String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
                assertEquals(Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS) ? "rwx------" : "rw-------", mode,
                        path.toString());
            }
        }
    }

    /** Authenticates a manifest changed by hand, as the operator holding {@code key} could. */
    static void authenticate(Path image, Path key) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(Files.readAllBytes(key), "HmacSHA256"));
        Files.writeString(image.resolve("stasis-image.json.mac"),
                HexFormat.of().formatHex(mac.doFinal(Files.readAllBytes(image.resolve("stasis-image.json")))));
    }

    /** The dumper of an image the application asked for ends a moment after the application. */
    private static void awaitNoDumper(Path image) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!Files.exists(image.resolve(".stasis-result")) && System.nanoTime() - deadline < 0) {
            Thread.sleep(10);
        }
        Thread.sleep(200); // the dumper's last writes follow its result
    }

    static ForkedJvm.Builder cli(Jdk jdk, String... args) {
        return ForkedJvm.on(jdk).jar(ForkedJvm.agentJar(), args);
    }

    static long count(List<String> lines, String prefix) {
        return lines.stream().filter(l -> l.startsWith(prefix)).count();
    }

    private static long lastTick(List<String> lines) {
        return lines.stream().filter(l -> l.startsWith("tick ")).mapToLong(ImageIT::tickOf).max().orElse(-1);
    }

    private static long firstTick(List<String> lines) {
        return lines.stream().filter(l -> l.startsWith("tick ")).mapToLong(ImageIT::tickOf).findFirst().orElse(-1);
    }

    static long tickOf(String line) {
        return Long.parseLong(line.split(" ")[1]);
    }
}
