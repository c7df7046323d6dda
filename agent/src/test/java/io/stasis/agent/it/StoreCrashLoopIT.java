package io.stasis.agent.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stasis.agent.internal.store.FileSnapshotStore;
import io.stasis.agent.internal.store.Snapshot;
import io.stasis.agent.internal.store.SnapshotRef;
import io.stasis.agent.it.apps.StoreWriterApp;
import io.stasis.agent.testing.ForkedJvm;
import io.stasis.agent.testing.Jdks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store against other processes. Two hundred {@code kill -9}s of a process writing snapshots, at random moments, most of them
 * inside a write. After each, the newest snapshot is the last one the writer reported committed
 * (or the one it was writing, if the kill came after its manifest was published and before it
 * could say so), bit for bit; {@code verify} finds nothing damaged, only leftovers that {@code gc}
 * removes.
 */
class StoreCrashLoopIT {

    private static final int KILLS = 200;
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String CLASS_PATH = ForkedJvm.classPathOf(StoreWriterApp.class, FileSnapshotStore.class,
            com.fasterxml.jackson.databind.ObjectMapper.class, com.fasterxml.jackson.core.JsonFactory.class,
            com.fasterxml.jackson.annotation.JsonProperty.class, net.jpountz.lz4.LZ4Factory.class,
            io.stasis.files.PrivateFiles.class);

    @Test
    void theLastCommittedSnapshotSurvivesEveryKill(@TempDir Path dir) throws Exception {
        Random random = new Random(2026);
        long committedBefore = 0;
        int midWrite = 0;
        int againstABase = 0;
        for (int kill = 0; kill < KILLS; kill++) {
            long lastCommitted;
            long lastWriting;
            try (ForkedJvm writer = ForkedJvm.on(Jdks.current()).classPath(CLASS_PATH)
                    .main(StoreWriterApp.class, dir.toString()).start()) {
                writer.awaitLineContaining("writing", TIMEOUT);
                Thread.sleep(random.nextInt(400));
                writer.kill9();
                lastCommitted = last(writer.lines(), "committed ", committedBefore);
                lastWriting = last(writer.lines(), "writing ", 0);
            }
            if (lastWriting > lastCommitted) {
                midWrite++;
            }
            try (FileSnapshotStore store = FileSnapshotStore.openForReading(dir)) {
                List<SnapshotRef> refs = store.list();
                if (refs.isEmpty()) {
                    assertEquals(0, lastCommitted, "kill " + kill + ": the store lost every snapshot");
                    continue;
                }
                SnapshotRef newest = refs.get(0);
                assertTrue(newest.sequence() == lastCommitted || newest.sequence() == lastWriting,
                        "kill " + kill + ": newest " + newest.sequence() + ", committed " + lastCommitted
                                + ", writing " + lastWriting);
                Snapshot snapshot = store.read(newest);
                assertArrayEquals(StoreWriterApp.data(newest.sequence()), snapshot.roots().get(0).data(),
                        "kill " + kill + ": snapshot " + newest.sequence());
                assertEquals(List.of(), store.verify().damaged(), "kill " + kill);
                committedBefore = newest.sequence();
                if (storedAgainstABase(dir, newest)) {
                    againstABase++;
                }
            }
            if (kill % 50 == 49) {
                try (FileSnapshotStore store = FileSnapshotStore.openForWriting(dir)) {
                    store.gc();
                    assertEquals(List.of(), store.verify().leftovers(), "gc removes every leftover");
                }
            }
        }
        System.out.printf("%d kills, %d of them while a snapshot was being written, the newest stored against a base"
                + " after %d%n", KILLS, midWrite, againstABase);
        assertTrue(midWrite >= KILLS / 2, midWrite + " of " + KILLS + " kills landed inside a write");
        assertTrue(againstABase >= KILLS / 2, "the newest snapshot listed only its changes after " + againstABase
                + " of " + KILLS + " kills");
    }

    /** Whether a snapshot's manifest lists its chunks against a base (format 3), not every chunk. */
    private static boolean storedAgainstABase(Path dir, SnapshotRef ref) throws IOException {
        String manifest = Files.readString(
                dir.resolve(String.format("manifests/snapshot-%016d.json", ref.sequence())));
        return !manifest.contains("\"base\" : -1") && manifest.contains("\"base\" : ");
    }

    @Test
    void aSecondWriterProcessIsRefusedAndTheFirstCarriesOn(@TempDir Path dir) throws Exception {
        try (ForkedJvm first = ForkedJvm.on(Jdks.current()).classPath(CLASS_PATH)
                .main(StoreWriterApp.class, dir.toString()).start()) {
            first.awaitLineContaining("committed 1", TIMEOUT);
            try (ForkedJvm second = ForkedJvm.on(Jdks.current()).classPath(CLASS_PATH)
                    .main(StoreWriterApp.class, dir.toString()).start()) {
                assertEquals(1, second.awaitExit(TIMEOUT), second.output());
                assertTrue(second.output().contains("another process is writing snapshots to"), second.output());
                assertTrue(second.lines().stream().noneMatch(l -> l.startsWith("writing")), second.output());
            }
            long before = last(first.lines(), "committed ", 0);
            first.awaitLine(l -> l.startsWith("committed ") && Long.parseLong(l.substring(10).trim()) > before + 1,
                    TIMEOUT);
            first.kill9();
        }
        try (FileSnapshotStore store = FileSnapshotStore.openForReading(dir)) {
            assertEquals(List.of(), store.verify().damaged());
        }
    }

    private static long last(List<String> lines, String prefix, long otherwise) {
        long last = otherwise;
        for (String line : lines) {
            if (line.startsWith(prefix)) {
                last = Long.parseLong(line.substring(prefix.length()).trim());
            }
        }
        return last;
    }
}
