package io.stasis.agent.it;

import static io.stasis.agent.testing.BucketChecks.assertComplete;
import static io.stasis.agent.testing.BucketChecks.assertEveryManifestReadsWhole;
import static io.stasis.agent.testing.BucketChecks.eventually;
import static io.stasis.agent.testing.BucketChecks.newestOn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stasis.agent.internal.metrics.Management;
import io.stasis.agent.internal.store.FileSnapshotStore;
import io.stasis.agent.it.apps.CounterApp;
import io.stasis.agent.it.apps.StateApp;
import io.stasis.agent.testing.FaultProxy;
import io.stasis.agent.testing.ForkedJvm;
import io.stasis.agent.testing.Jdk;
import io.stasis.agent.testing.Jdks;
import io.stasis.agent.testing.Jmx;
import io.stasis.agent.testing.S3Server;
import io.stasis.api.Stasis;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code mirror=s3://…} beside a local dir, against a real S3 server (S3Proxy), in forked JVMs with the built agent. */
class MirrorIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final Pattern COMMITTED = Pattern.compile("INFO checkpoint (\\d+) committed");

    @TempDir
    static Path serverDir;
    static S3Server server;
    private static int buckets;

    @BeforeAll
    static void startServer() throws Exception {
        server = S3Server.start(serverDir);
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private static synchronized String newBucket() throws java.io.IOException {
        String bucket = "mirror-" + (++buckets);
        server.createBucket(bucket);
        return bucket;
    }

    @ParameterizedTest
    @MethodSource("io.stasis.agent.testing.Jdks#all")
    void aJvmWithAnEmptyLocalDirResumesFromTheMirrorAndADamagedOneFallsBackToIt(Jdk jdk, @TempDir Path dir)
            throws Exception {
        String bucket = newBucket();
        String mirror = server.mirrorOptions(bucket, "apps/ledger");
        String first = run(jdk, dir.resolve("first-machine"), mirror, null);
        try (Stream<Path> manifests = Files.list(server.storedAt(bucket, "apps/ledger").resolve("manifests"))) {
            assertEquals(2, manifests.count(), "the checkpoint and the exit checkpoint are on the mirror");
        }
        // Another machine: nothing local at all.
        String second = run(jdk, dir.resolve("second-machine"), mirror, first);
        // The first machine again, its local store damaged (every pack flipped): the mirror's copy is newer anyway,
        // and nothing local verifies.
        try (Stream<Path> packs = Files.list(dir.resolve("first-machine/store/packs"))) {
            for (Path pack : packs.toList()) {
                byte[] bytes = Files.readAllBytes(pack);
                for (int i = 0; i < bytes.length; i += 64) {
                    bytes[i] ^= 0x5a;
                }
                Files.write(pack, bytes);
            }
        }
        run(jdk, dir.resolve("first-machine"), mirror, second);
        try (FileSnapshotStore store = FileSnapshotStore.openForReading(server.storedAt(bucket, "apps/ledger"))) {
            assertEquals(List.of(), store.verify().damaged());
        }
    }

    @Test
    void theServerStoppedMidRunNeverStopsTheApplicationNorShowsAPartialSnapshotAndUploadsResume(@TempDir Path dir)
            throws Exception {
        String bucket = newBucket();
        Path onBucket = server.storedAt(bucket, "svc");
        try (ForkedJvm app = counter(dir, bucket)) {
            app.awaitLineContaining("count=", TIMEOUT);
            Jmx jmx = Jmx.connect(app.pid());
            jmx.await(Management.CHECKPOINTS, TIMEOUT);
            awaitMirrored(onBucket, 1);
            awaitLag(jmx, 0);

            server.stop();
            try {
                long committedBefore = lastCommitted(app);
                Thread.sleep(4000);
                assertTrue(app.isAlive(), "the application carries on");
                assertTrue(lastCommitted(app) > committedBefore, "checkpoints go on locally:\n" + app.output());
                assertTrue(jmx.number(Management.CHECKPOINTS, "MirrorFailures") > 0);
                assertTrue(jmx.number(Management.CHECKPOINTS, "MirrorLagMillis") >= 3000, "the lag grows");
                assertEquals(1, app.lines().stream().filter(l -> l.contains("mirror s3://" + bucket + "/svc cannot be"
                        + " written")).count(), "said once:\n" + app.output());
                assertComplete(onBucket);
            } finally {
                server.restart();
            }
            long committedAtRestart = lastCommitted(app);
            awaitLag(jmx, 0);
            app.awaitLineContaining("mirror s3://" + bucket + "/svc is written again", TIMEOUT);
            assertTrue(newestOn(onBucket) >= committedAtRestart, newestOn(onBucket) + " < " + committedAtRestart);
            jmx.close();
            app.kill9();
        }
        assertComplete(onBucket);
    }

    @Test
    void aJvmStartedWhileTheMirrorIsDownRunsOnLocallyNumberedApartAndUploadsWhenItIsBack(@TempDir Path dir)
            throws Exception {
        String bucket = newBucket();
        Path onBucket = server.storedAt(bucket, "svc");
        server.stop();
        try (ForkedJvm app = counter(dir, bucket)) {
            try {
                app.awaitLineContaining("cannot be read now: this JVM's snapshots are numbered from 1000001", TIMEOUT);
                app.awaitLine(l -> COMMITTED.matcher(l).find(), TIMEOUT);
                assertTrue(lastCommitted(app) > 1_000_000, app.output());
            } finally {
                server.restart();
            }
            app.awaitLineContaining("is written again", TIMEOUT);
            awaitMirrored(onBucket, 1_000_001);
            awaitComplete(onBucket);
            assertTrue(app.isAlive());
            app.kill9();
        }
    }

    @Test
    void throughDroppedConnectionsSlowDownErrorsAndSlowResponsesOnlyCompleteSnapshotsAppearAndUploadsCatchUp(
            @TempDir Path dir) throws Exception {
        String bucket = newBucket();
        Path onBucket = server.storedAt(bucket, "svc");
        try (FaultProxy proxy = new FaultProxy(server.endpoint())) {
            String options = "dir=" + dir.resolve("store") + ",mirror=s3://" + bucket + "/svc,s3.endpoint="
                    + proxy.endpoint() + ",s3.path-style=true,interval=200ms";
            try (ForkedJvm app = ForkedJvm.on(Jdks.current()).jvmOption(server.credentialOptions()).agent(options)
                    .classPath(ForkedJvm.classPathOf(CounterApp.class, Stasis.class)).directory(dir)
                    .main(CounterApp.class).start()) {
                app.awaitLineContaining("count=", TIMEOUT);
                Jmx jmx = Jmx.connect(app.pid());
                jmx.await(Management.CHECKPOINTS, TIMEOUT);
                awaitMirrored(onBucket, 1);
                for (FaultProxy.Mode fault : List.of(FaultProxy.Mode.SLOW_DOWN_503, FaultProxy.Mode.ERROR_500,
                        FaultProxy.Mode.DROP_MID_BODY, FaultProxy.Mode.SLOW)) {
                    long failures = jmx.number(Management.CHECKPOINTS, "MirrorFailures");
                    long committed = lastCommitted(app);
                    proxy.mode(fault);
                    Thread.sleep(2000);
                    if (fault != FaultProxy.Mode.SLOW) {
                        // Each attempt is the SDK's three tries with backoff: slower on a loaded machine.
                        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                        while (jmx.number(Management.CHECKPOINTS, "MirrorFailures") == failures) {
                            assertTrue(System.nanoTime() < deadline, fault + ": no failed upload\n" + app.output());
                            Thread.sleep(100);
                        }
                    }
                    assertTrue(app.isAlive(), fault + ": the application carries on");
                    assertTrue(lastCommitted(app) >= committed + 5, fault + ": checkpoints go on locally at 200ms:\n"
                            + app.output());
                    // Snapshots passed over while failing leave a gap until the next upload trims the mirror.
                    eventually(() -> assertEveryManifestReadsWhole(onBucket));
                    proxy.mode(FaultProxy.Mode.PASS);
                    awaitLag(jmx, 0);
                    awaitComplete(onBucket); // retention runs just after the upload that caught up
                }
                long committed = lastCommitted(app);
                awaitMirrored(onBucket, committed);
                jmx.close();
                app.kill9();
            }
        }
        assertComplete(onBucket);
    }

    @Test
    void ofTwoJvmsMirroringToOnePrefixOnlyTheLeaseHolderUploadsAndTheOtherTakesOverWhenItDies(@TempDir Path dir)
            throws Exception {
        String bucket = newBucket();
        Path onBucket = server.storedAt(bucket, "svc");
        String mirror = server.mirrorOptions(bucket, "svc") + ",s3.lease=15s,interval=200ms";
        String classPath = ForkedJvm.classPathOf(CounterApp.class, Stasis.class);
        try (ForkedJvm old = ForkedJvm.on(Jdks.current()).jvmOption(server.credentialOptions())
                .agent("dir=" + dir.resolve("old-pod") + "," + mirror).classPath(classPath)
                .directory(Files.createDirectory(dir.resolve("old"))).main(CounterApp.class).start()) {
            old.awaitLineContaining("count=", TIMEOUT);
            awaitMirrored(onBucket, 3);
            try (ForkedJvm replacement = ForkedJvm.on(Jdks.current()).jvmOption(server.credentialOptions())
                    .agent("dir=" + dir.resolve("new-pod") + "," + mirror).classPath(classPath)
                    .directory(Files.createDirectory(dir.resolve("new"))).main(CounterApp.class).start()) {
                replacement.awaitLineContaining("is written by another JVM now", TIMEOUT);
                replacement.awaitLineContaining("is fenced", TIMEOUT);
                long oldNewest = newestOn(onBucket);
                Thread.sleep(1000);
                assertTrue(newestOn(onBucket) > oldNewest, "the holder goes on uploading");
                assertTrue(newestOn(onBucket) < 1_000_000, "nothing of the replacement's is there yet");
                assertTrue(lastCommitted(replacement) > 1_000_000, "it checkpoints locally, numbered apart:\n"
                        + replacement.output());
                awaitComplete(onBucket);

                old.kill9();
                // The old pod's lease lapses (15 s); the replacement takes over and its snapshots reach the mirror.
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (newestOn(onBucket) < 1_000_000) {
                    assertTrue(System.nanoTime() < deadline, "the replacement never took over:\n" + replacement.output());
                    Thread.sleep(200);
                }
                replacement.awaitLineContaining("is written again", TIMEOUT);
                assertTrue(replacement.isAlive());
                awaitComplete(onBucket);
                replacement.kill9();
            }
        }
        assertComplete(onBucket);
    }

    /** CounterApp checkpointing every 200 ms to {@code dir}/store, mirrored to {@code bucket}/svc. */
    private static ForkedJvm counter(Path dir, String bucket) throws Exception {
        String options = "dir=" + dir.resolve("store") + "," + server.mirrorOptions(bucket, "svc") + ",interval=200ms";
        return ForkedJvm.on(Jdks.current()).jvmOption(server.credentialOptions()).agent(options)
                .classPath(ForkedJvm.classPathOf(CounterApp.class, Stasis.class)).directory(dir)
                .main(CounterApp.class).start();
    }

    private static void awaitComplete(Path onBucket) throws Exception {
        eventually(() -> assertComplete(onBucket));
    }

    private static void awaitMirrored(Path onBucket, long atLeast) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!Files.isDirectory(onBucket.resolve("manifests")) || newestOn(onBucket) < atLeast) {
            assertTrue(System.nanoTime() < deadline, "nothing on the mirror");
            Thread.sleep(100);
        }
    }

    private static void awaitLag(Jmx jmx, long lag) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        // The lag is 0 between uploads at interval=200ms only if uploads keep up: look for a 0 among reads.
        while (jmx.number(Management.CHECKPOINTS, "MirrorLagMillis") != lag) {
            assertTrue(System.nanoTime() < deadline, "MirrorLagMillis never " + lag);
            Thread.sleep(20);
        }
    }

    private static long lastCommitted(ForkedJvm app) {
        return app.lines().stream().map(COMMITTED::matcher).filter(Matcher::find)
                .mapToLong(m -> Long.parseLong(m.group(1))).max().orElse(0);
    }

    /** One generation of StateApp with its store in {@code machine}/store; asserts it restored {@code previousAfter}. */
    private static String run(Jdk jdk, Path machine, String mirror, String previousAfter) throws Exception {
        Files.createDirectories(machine);
        String options = "dir=" + machine.resolve("store") + "," + mirror;
        try (ForkedJvm app = ForkedJvm.on(jdk).jvmOption(server.credentialOptions()).agent(options)
                .classPath(ForkedJvm.classPathOf(StateApp.class, Stasis.class)).directory(machine)
                .main(StateApp.class, "advance-exit").start()) {
            String before = app.awaitLineContaining("before=", TIMEOUT).substring("before=".length());
            String after = app.awaitLineContaining("after=", TIMEOUT).substring("after=".length());
            app.awaitLineContaining("committed=", TIMEOUT);
            assertEquals(0, app.awaitExit(TIMEOUT), app.output());
            if (previousAfter != null) {
                assertEquals(previousAfter, before, "restored state\n" + app.output());
                assertTrue(app.output().contains("restored=SNAPSHOT"), app.output());
            } else {
                assertTrue(before.startsWith("generation=0 "), before);
            }
            assertFalse(app.output().contains(S3Server.CREDENTIAL), "the secret is never logged:\n" + app.output());
            assertFalse(app.output().contains("WARNING mirror"), "the mirror kept up:\n" + app.output());
            return after;
        }
    }
}
