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
import io.stasis.agent.internal.store.ManifestNames;
import io.stasis.agent.it.apps.CounterApp;
import io.stasis.agent.it.apps.StateApp;
import io.stasis.agent.testing.FaultProxy;
import io.stasis.agent.testing.ForkedJvm;
import io.stasis.agent.testing.Jdk;
import io.stasis.agent.testing.Jdks;
import io.stasis.agent.testing.Jmx;
import io.stasis.agent.testing.Plaintext;
import io.stasis.agent.testing.S3Server;
import io.stasis.api.Stasis;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The agent with {@code dir=s3://…} against a real S3 server (S3Proxy), in forked JVMs on every required JDK. */
class S3StoreIT {

    private static final String CLASS_PATH = ForkedJvm.classPathOf(StateApp.class, Stasis.class);
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

    private static synchronized String newBucket() throws IOException {
        String bucket = "it-" + (++buckets);
        server.createBucket(bucket);
        return bucket;
    }

    @ParameterizedTest
    @MethodSource("io.stasis.agent.testing.Jdks#all")
    void aJvmInAFreshWorkingDirectoryRestoresWhatAnotherCheckpointedToTheBucket(Jdk jdk, @TempDir Path dir)
            throws Exception {
        String bucket = newBucket();
        String options = server.storeOptions(bucket, "apps/ledger");
        String first = run(jdk, Files.createDirectory(dir.resolve("first")), options, null);
        String second = run(jdk, Files.createDirectory(dir.resolve("second")), options, first);
        run(jdk, Files.createDirectory(dir.resolve("third")), options, second);

        for (String machine : List.of("first", "second", "third")) {
            try (Stream<Path> files = Files.list(dir.resolve(machine))) {
                assertEquals(List.of(), files.toList(), "no local state in the working directory of " + machine);
            }
        }
        Set<String> keys = server.stored(bucket).keySet();
        assertTrue(keys.stream().allMatch(k -> k.startsWith("apps/ledger/")), keys.toString());
        assertTrue(keys.stream().anyMatch(k -> k.startsWith("apps/ledger/manifests/snapshot-")), keys.toString());
        assertTrue(keys.stream().anyMatch(k -> k.startsWith("apps/ledger/packs/pack-")), keys.toString());
    }

    /** The chunk names that the manifests among {@code objects} list. */
    private static Set<String> manifestChunkNames(Map<String, byte[]> objects) throws IOException {
        Set<String> names = new HashSet<>();
        for (Map.Entry<String, byte[]> object : objects.entrySet()) {
            if (object.getKey().contains("/manifests/snapshot-")) {
                names.addAll(ManifestNames.of(object.getValue()));
            }
        }
        return names;
    }

    @ParameterizedTest
    @MethodSource("io.stasis.agent.testing.Jdks#all")
    void anEncryptedStoreInABucketHoldsNoPlaintextAndNoReadableChunkNames(Jdk jdk, @TempDir Path dir) throws Exception {
        Path key = dir.resolve("key");
        Files.writeString(key, "0123456789abcdef".repeat(4) + "\n");
        String plainBucket = newBucket();
        String encryptedBucket = newBucket();
        String plainAfter = run(jdk, Files.createDirectory(dir.resolve("plain")),
                server.storeOptions(plainBucket, "p"), null);
        String encryptedAfter = run(jdk, Files.createDirectory(dir.resolve("encrypted")),
                server.storeOptions(encryptedBucket, "p") + ",encryption-key=" + key, null);
        assertEquals(plainAfter, encryptedAfter, "the same state in both");
        run(jdk, Files.createDirectory(dir.resolve("restore")),
                server.storeOptions(encryptedBucket, "p") + ",encryption-key=" + key, encryptedAfter);

        // The canaries and the content-derived chunk names are there in the clear in a plain store...
        Map<String, byte[]> plain = server.stored(plainBucket);
        Set<String> chunkNames = manifestChunkNames(plain);
        assertFalse(chunkNames.isEmpty(), "the plain store's manifests name its chunks");
        // Kryo marks the end of an ASCII string in its last byte: the canaries are prefixes of values.
        List<String> canaries = List.of("Europe/Pari", "note-");
        for (String canary : canaries) {
            assertTrue(plain.values().stream().anyMatch(b -> Plaintext.contains(b, canary)), canary + " in the plain store");
        }
        // ...and nowhere in the encrypted one, whose manifests name chunks by a keyed hash.
        Map<String, byte[]> encrypted = server.stored(encryptedBucket);
        assertFalse(encrypted.isEmpty());
        Set<String> keyedNames = manifestChunkNames(encrypted);
        assertFalse(keyedNames.isEmpty(), "the encrypted store's manifests name its chunks");
        assertTrue(keyedNames.stream().noneMatch(chunkNames::contains), "a chunk named by its plain hash");
        for (Map.Entry<String, byte[]> object : encrypted.entrySet()) {
            for (String canary : canaries) {
                assertFalse(Plaintext.contains(object.getValue(), canary), canary + " in " + object.getKey());
            }
            for (String chunk : chunkNames) {
                assertFalse(Plaintext.contains(object.getValue(), chunk), "chunk name " + chunk + " in " + object.getKey());
                assertFalse(object.getKey().contains(chunk), "chunk name in the key " + object.getKey());
            }
        }
    }

    @ParameterizedTest
    @MethodSource("io.stasis.agent.testing.Jdks#all")
    void aJvmWithALocalStoreLoadsNothingOfTheS3Client(Jdk jdk, @TempDir Path dir) throws Exception {
        try (ForkedJvm app = ForkedJvm.on(jdk).jvmOption("-Xlog:class+load=info").agent("dir=" + dir.resolve("store"))
                .classPath(CLASS_PATH).main(StateApp.class, "advance-exit").start()) {
            app.awaitLineContaining("committed=", TIMEOUT);
            assertEquals(0, app.awaitExit(TIMEOUT), app.output());
            assertTrue(app.output().contains("io.stasis.agent.internal.store.FileSnapshotStore"), "class loading is logged");
            assertFalse(app.output().contains("software.amazon"), app.output());
            assertFalse(app.output().contains("store.s3."), app.output());
        }
    }

    @Test
    void ofTwoWritersOnOnePrefixOnlyTheLeaseHolderCommitsAndTheOtherTakesOverWhenItDies(@TempDir Path dir)
            throws Exception {
        String bucket = newBucket();
        String options = server.storeOptions(bucket, "svc") + ",interval=100ms,s3.lease=15s";
        String classPath = ForkedJvm.classPathOf(CounterApp.class, Stasis.class);
        long firstLast;
        try (ForkedJvm first = ForkedJvm.on(Jdks.current()).jvmOption(server.credentialOptions()).agent(options)
                .classPath(classPath).directory(Files.createDirectory(dir.resolve("old-pod")))
                .main(CounterApp.class).start()) {
            first.awaitLine(l -> COMMITTED.matcher(l).find(), TIMEOUT);
            try (ForkedJvm second = ForkedJvm.on(Jdks.current()).jvmOption(server.credentialOptions()).agent(options)
                    .classPath(classPath).directory(Files.createDirectory(dir.resolve("new-pod")))
                    .main(CounterApp.class).start()) {
                second.awaitLineContaining("another JVM holds the writer lease of s3://" + bucket + "/svc", TIMEOUT);
                long firstBefore = lastCommitted(first);
                Thread.sleep(2000);
                assertTrue(lastCommitted(first) > firstBefore, "the holder carries on committing:\n" + first.output());
                assertEquals(0, lastCommitted(second), "the other commits nothing:\n" + second.output());
                assertTrue(second.isAlive(), "its application carries on");
                second.awaitLine(l -> l.startsWith("count="), TIMEOUT);

                first.kill9();
                firstLast = lastCommitted(first);
                // The old pod's lease lapses (15 s without renewal); then the new pod takes over.
                second.awaitLine(l -> COMMITTED.matcher(l).find(), Duration.ofSeconds(60));
                long taken = second.lines().stream().map(COMMITTED::matcher).filter(Matcher::find)
                        .mapToLong(m -> Long.parseLong(m.group(1))).min().orElseThrow();
                assertTrue(taken > firstLast, "numbered after the old pod's last snapshot " + firstLast + ": " + taken);
                second.kill9();
            }
        }
        try (FileSnapshotStore store = FileSnapshotStore.openForReading(server.storedAt(bucket, "svc"))) {
            assertEquals(List.of(), store.verify().damaged());
        }
    }

    @Test
    void behindFailingRequestsACheckpointFailsCleanlyTheNewestCommittedStaysWholeAndCheckpointsResume(
            @TempDir Path dir) throws Exception {
        String bucket = newBucket();
        Path onBucket = server.storedAt(bucket, "svc");
        String restoredFrom;
        try (FaultProxy proxy = new FaultProxy(server.endpoint())) {
            String options = "dir=s3://" + bucket + "/svc,s3.endpoint=" + proxy.endpoint()
                    + ",s3.path-style=true,interval=200ms";
            try (ForkedJvm app = ForkedJvm.on(Jdks.current()).jvmOption(server.credentialOptions()).agent(options)
                    .classPath(ForkedJvm.classPathOf(CounterApp.class, Stasis.class)).directory(dir)
                    .main(CounterApp.class).start()) {
                app.awaitLine(l -> COMMITTED.matcher(l).find(), TIMEOUT);
                Jmx jmx = Jmx.connect(app.pid());
                jmx.await(Management.CHECKPOINTS, TIMEOUT);
                for (FaultProxy.Mode fault : List.of(FaultProxy.Mode.SLOW_DOWN_503, FaultProxy.Mode.ERROR_500,
                        FaultProxy.Mode.DROP_MID_BODY)) {
                    long failures = jmx.number(Management.CHECKPOINTS, "Failures");
                    proxy.mode(fault);
                    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                    while (jmx.number(Management.CHECKPOINTS, "Failures") == failures) {
                        assertTrue(System.nanoTime() < deadline, fault + ": no checkpoint failed\n" + app.output());
                        Thread.sleep(100);
                    }
                    assertTrue(app.isAlive(), fault + ": the application carries on");
                    // Nothing committed is lost, and what the bucket holds reads whole. (A manifest whose
                    // answer was lost when the fault began may be there, newer than the last one logged.)
                    assertTrue(newestOn(onBucket) >= lastCommitted(app), fault.toString());
                    eventually(() -> assertEveryManifestReadsWhole(onBucket));
                    long committed = lastCommitted(app);
                    proxy.mode(FaultProxy.Mode.PASS);
                    app.awaitLine(l -> {
                        Matcher m = COMMITTED.matcher(l);
                        return m.find() && Long.parseLong(m.group(1)) > committed;
                    }, TIMEOUT);
                }
                jmx.close();
                app.kill9();
                restoredFrom = Long.toString(newestOn(onBucket));
            }
        }
        // A JVM on another machine, straight to the server: the newest committed snapshot.
        try (ForkedJvm next = ForkedJvm.on(Jdks.current()).jvmOption(server.credentialOptions())
                .agent(server.storeOptions(bucket, "svc") + ",on-exit=false")
                .classPath(ForkedJvm.classPathOf(CounterApp.class, Stasis.class))
                .directory(Files.createDirectory(dir.resolve("next"))).main(CounterApp.class).start()) {
            String line = next.awaitLineContaining("restoring from snapshot ", TIMEOUT);
            assertTrue(line.contains("restoring from snapshot " + restoredFrom + " "), line);
            next.kill9();
        }
        assertComplete(onBucket);
    }

    private static long lastCommitted(ForkedJvm app) {
        return app.lines().stream().map(COMMITTED::matcher).filter(Matcher::find)
                .mapToLong(m -> Long.parseLong(m.group(1))).max().orElse(0);
    }

    /** One generation of StateApp in {@code workingDir}; asserts it restored {@code previousAfter}. */
    private static String run(Jdk jdk, Path workingDir, String options, String previousAfter) throws Exception {
        try (ForkedJvm app = ForkedJvm.on(jdk).jvmOption(server.credentialOptions()).agent(options)
                .classPath(CLASS_PATH).directory(workingDir).main(StateApp.class, "advance-exit").start()) {
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
            assertFalse(app.output().contains("SLF4J"), "the SDK's logging stays silent:\n" + app.output());
            return after;
        }
    }
}
