package io.stasis.samples.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stasis.agent.internal.store.SnapshotRef;
import io.stasis.agent.testing.ForkedJvm;
import io.stasis.agent.testing.Jdk;
import io.stasis.api.Stasis;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code kill -9} at random moments, and every other one while a snapshot is being written. Every start
 * restores the newest committed snapshot, complete and consistent, and progress never goes back
 * past a snapshot that was committed.
 */
class LedgerCrashLoopIT {

    private static final int KILLS = 22;
    private static final Pattern COMMITTED = Pattern.compile("\\[stasis] [-0-9]+ [:.0-9]+ INFO checkpoint (\\d+) committed");
    private static final Pattern START = Pattern.compile("start: transfers=(\\d+) total=(\\d+) invariants=(.*)");
    private static final Pattern RESTORED_FROM = Pattern.compile("restored: restore from snapshot (\\d+) ");

    @ParameterizedTest
    @MethodSource("io.stasis.agent.testing.Jdks#all")
    void restoresTheLastCommittedSnapshotAfterEveryKill(Jdk jdk, @TempDir Path dir) throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        System.out.println("crash loop on " + jdk + ", seed " + seed);
        long lastCommitted = 0;
        long lastTransfers = 0;
        int killedMidWrite = 0;

        for (int run = 0; run <= KILLS; run++) {
            List<SnapshotRef> before = LedgerSnapshots.list(dir);
            boolean holdsLedger = !before.isEmpty() && LedgerSnapshots.holdsLedger(dir, before.get(0));
            // Only the first run's kill can come before the ledger was ever captured: later snapshots
            // carry the restored ledger even before the application constructs it again.
            assertTrue(holdsLedger || lastTransfers == 0, "the newest snapshot lost the ledger");
            LedgerSnapshots.State expected = holdsLedger ? LedgerSnapshots.read(dir, before.get(0)) : null;
            if (expected != null) {
                assertTrue(Long.parseLong(expected.snapshotId()) >= lastCommitted,
                        "snapshot " + lastCommitted + " was reported committed, but the newest is " + expected.snapshotId());
                assertEquals("OK", expected.check(), "snapshot " + expected.snapshotId());
                assertTrue(expected.transfers() >= lastTransfers, "progress went backwards");
                lastTransfers = expected.transfers();
            }

            try (ForkedJvm ledger = ForkedJvm.on(jdk).agent("dir=" + dir + ",interval=50ms,keep=3")
                    .classPath(ForkedJvm.classPathOf(LedgerApp.class, Stasis.class))
                    .main(LedgerApp.class, "--accounts=1000000", "--threads=2", "--report-every=100").start()) {
                Matcher start = START.matcher(ledger.awaitLine(l -> START.matcher(l).matches(), Duration.ofSeconds(60)));
                assertTrue(start.matches());
                assertEquals("OK", start.group(3));
                assertEquals(1000000L * 1000, Long.parseLong(start.group(2)));
                if (expected != null) {
                    Matcher from = RESTORED_FROM.matcher(ledger.awaitLineContaining("restored: ", Duration.ofSeconds(5)));
                    assertTrue(from.find(), ledger.output());
                    assertEquals(expected.snapshotId(), from.group(1), "restored the newest committed snapshot");
                    assertEquals(expected.transfers(), Long.parseLong(start.group(1)), "restored its state exactly");
                }
                if (run == KILLS) {
                    break;
                }
                Thread.sleep(200 + random.nextInt(1200));
                if (run % 2 == 1) {
                    awaitSnapshotWriteStarted(dir);
                }
                ledger.kill9();
                lastCommitted = Math.max(lastCommitted, ledger.lines().stream().map(COMMITTED::matcher)
                        .filter(Matcher::find).mapToLong(m -> Long.parseLong(m.group(1))).max().orElse(0));
            }
            if (hasTemporaryFiles(dir)) {
                killedMidWrite++;
            }
        }
        System.out.println(KILLS + " kills on " + jdk + ", " + killedMidWrite + " during a snapshot write; last committed "
                + lastCommitted + ", transfers " + lastTransfers);
        assertTrue(lastTransfers > 0, "the ledger made progress across restarts");
        assertTrue(killedMidWrite > 0, "no kill landed during a snapshot write (seed " + seed + ")");
    }

    /** Every other kill aims at a write: it waits until a temporary snapshot file appears. */
    private static void awaitSnapshotWriteStarted(Path dir) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!hasTemporaryFiles(dir) && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
    }

    /** A temporary pack or manifest (they are written, fsynced, then renamed into place). */
    private static boolean hasTemporaryFiles(Path dir) throws Exception {
        for (Path directory : List.of(dir.resolve("packs"), dir.resolve("manifests"))) {
            if (Files.isDirectory(directory)) {
                try (Stream<Path> files = Files.list(directory)) {
                    if (files.anyMatch(f -> f.getFileName().toString().endsWith(".tmp"))) {
                        return true;
                    }
                }
            }
        }
        return false;
    }
}
