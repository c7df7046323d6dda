package io.stasis.samples.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stasis.agent.internal.store.SnapshotRef;
import io.stasis.agent.testing.ForkedJvm;
import io.stasis.agent.testing.Jdks;
import io.stasis.agent.testing.S3Server;
import io.stasis.api.Stasis;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ledger checkpointing every 50 ms to {@code dir=s3://…} on a real S3 server (S3Proxy), killed
 * with {@code kill -9} at random moments, many of them while a pack or a manifest is being
 * uploaded. Every start, each from a fresh working directory, restores exactly the newest
 * snapshot whose manifest the server holds, with the ledger's invariants intact, and progress
 * never goes back past a committed snapshot. A killed writer's lease ({@code s3.lease=15s}) has to
 * lapse before the next one takes over, so each run waits for its first commit before its kill. The oracle reads the server's own files (its
 * filesystem backend keeps a prefix in a store directory's layout), not the agent's client.
 */
class LedgerS3CrashLoopIT {

    private static final int KILLS = 50;
    private static final Pattern COMMITTED = Pattern.compile("\\[stasis] [-0-9]+ [:.0-9]+ INFO checkpoint (\\d+) committed");
    private static final Pattern START = Pattern.compile("start: transfers=(\\d+) total=(\\d+) invariants=(.*)");
    private static final Pattern RESTORED_FROM = Pattern.compile("restored: restore from snapshot (\\d+) ");

    @Test
    void restoresTheLastCommittedSnapshotFromTheBucketAfterEveryKill(@TempDir Path dir) throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        System.out.println("S3 crash loop, seed " + seed);
        try (S3Server server = S3Server.start(dir)) {
            server.createBucket("ledger");
            Path stored = server.storedAt("ledger", "prod/ledger");
            String options = server.storeOptions("ledger", "prod/ledger") + ",interval=50ms,keep=3,s3.lease=15s";
            long lastCommitted = 0;
            long lastTransfers = 0;
            int leftoverPacks = 0;
            for (int run = 0; run <= KILLS; run++) {
                List<SnapshotRef> before = Files.isDirectory(stored) ? LedgerSnapshots.list(stored) : List.of();
                boolean holdsLedger = !before.isEmpty() && LedgerSnapshots.holdsLedger(stored, before.get(0));
                assertTrue(holdsLedger || lastTransfers == 0, "the newest snapshot lost the ledger");
                LedgerSnapshots.State expected = holdsLedger ? LedgerSnapshots.read(stored, before.get(0)) : null;
                if (expected != null) {
                    assertTrue(Long.parseLong(expected.snapshotId()) >= lastCommitted, "snapshot " + lastCommitted
                            + " was reported committed, but the newest is " + expected.snapshotId());
                    assertEquals("OK", expected.check(), "snapshot " + expected.snapshotId());
                    assertTrue(expected.transfers() >= lastTransfers, "progress went backwards");
                    lastTransfers = expected.transfers();
                    if (newestPack(stored) > Long.parseLong(expected.snapshotId())) {
                        leftoverPacks++; // killed between a pack's upload and its manifest's
                    }
                }
                Path workingDir = Files.createDirectory(dir.resolve("machine-" + run));
                try (ForkedJvm ledger = ForkedJvm.on(Jdks.current()).jvmOption(server.credentialOptions())
                        .agent(options).directory(workingDir)
                        .classPath(ForkedJvm.classPathOf(LedgerApp.class, Stasis.class))
                        .main(LedgerApp.class, "--accounts=1000000", "--threads=2", "--report-every=100").start()) {
                    Matcher start = START.matcher(ledger.awaitLine(l -> START.matcher(l).matches(), Duration.ofSeconds(90)));
                    assertTrue(start.matches());
                    assertEquals("OK", start.group(3));
                    assertEquals(1000000L * 1000, Long.parseLong(start.group(2)));
                    if (expected != null) {
                        Matcher from = RESTORED_FROM.matcher(ledger.awaitLineContaining("restored: ", Duration.ofSeconds(10)));
                        assertTrue(from.find(), ledger.output());
                        assertEquals(expected.snapshotId(), from.group(1), "restored the newest committed snapshot");
                        assertEquals(expected.transfers(), Long.parseLong(start.group(1)), "restored its state exactly");
                    }
                    if (run == KILLS) {
                        break;
                    }
                    ledger.awaitLine(l -> COMMITTED.matcher(l).find(), Duration.ofSeconds(60));
                    Thread.sleep(random.nextInt(1500));
                    ledger.kill9();
                    lastCommitted = Math.max(lastCommitted, ledger.lines().stream().map(COMMITTED::matcher)
                            .filter(Matcher::find).mapToLong(m -> Long.parseLong(m.group(1))).max().orElse(0));
                }
                try (Stream<Path> left = Files.list(workingDir)) {
                    assertEquals(List.of(), left.toList(), "no local state");
                }
            }
            System.out.println(KILLS + " kills, " + leftoverPacks + " between a pack and its manifest; last committed "
                    + lastCommitted + ", transfers " + lastTransfers);
            assertTrue(lastTransfers > 0, "the ledger made progress across restarts");
        }
    }

    private static long newestPack(Path stored) throws Exception {
        Path packs = stored.resolve("packs");
        if (!Files.isDirectory(packs)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(packs)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.matches("pack-\\d{16}\\.pack"))
                    .mapToLong(n -> Long.parseLong(n.substring(5, 21))).max().orElse(0);
        }
    }
}
