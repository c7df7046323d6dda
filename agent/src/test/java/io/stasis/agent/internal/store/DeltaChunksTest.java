package io.stasis.agent.internal.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stasis.agent.internal.restore.Restorer;
import io.stasis.agent.internal.restore.SnapshotSelector;
import io.stasis.kryo.AllowedClasses;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Format 4: a changed chunk is stored as a delta against the whole chunk at its place in the
 * snapshot before. The bytes a small change writes are about the change's own; retention keeps
 * every pack a kept snapshot's deltas need; a base that is missing or damaged makes the snapshots
 * that need it unreadable (refused, never misread).
 */
class DeltaChunksTest {

    @TempDir
    Path dir;

    private static final String PACK_1 = "packs/pack-0000000000000001.pack";

    /** {@code data} with {@code places} spots of {@code each} bytes flipped, evenly spread. */
    private static byte[] flipped(byte[] data, int places, int each) {
        byte[] copy = data.clone();
        for (int i = 0; i < places; i++) {
            int at = (int) ((long) i * data.length / places) + 17;
            for (int j = 0; j < each; j++) {
                copy[at + j] ^= 0x5A;
            }
        }
        return copy;
    }

    /**
     * Snapshot 1 of 1 MB, and snapshot 2 with 2,000 small changes spread over it: every chunk of
     * snapshot 2 is new, most stored as deltas against snapshot 1's.
     *
     * @return snapshot 2's data
     */
    private byte[] writeTwo(long seed) throws IOException {
        byte[] first = FileSnapshotStoreTest.state(1 << 20, seed);
        byte[] second = flipped(first, 2000, 4);
        try (FileSnapshotStore store = FileSnapshotStore.openForWriting(dir)) {
            store.write(FileSnapshotStoreTest.big(1, first));
            store.write(FileSnapshotStoreTest.big(2, second));
        }
        return second;
    }

    private long bytes(String file) throws IOException {
        return Files.size(dir.resolve(file));
    }

    private static String pack(long sequence) {
        return String.format("packs/pack-%016d.pack", sequence);
    }

    @Test
    void aChangeOfAFewBytesInManyChunksStoresAboutThoseBytes() throws Exception {
        byte[] first = FileSnapshotStoreTest.state(4 << 20, 1);
        byte[] second = flipped(first, 1000, 8); // a thousand changed values, one in about every chunk
        try (FileSnapshotStore store = FileSnapshotStore.openForWriting(dir)) {
            store.write(FileSnapshotStoreTest.big(1, first));
            store.write(FileSnapshotStoreTest.big(2, second));
            List<Manifest.ChunkRef> chunks = store.manifest(store.list().get(0)).roots().get(0).chunks();
            long deltas = chunks.stream().filter(c -> c.base() != null).count();
            long added = chunks.stream().filter(c -> c.pack().equals("pack-0000000000000002.pack")).count();
            assertTrue(deltas >= added * 9 / 10, deltas + " of " + added + " new chunks stored as deltas");
            assertTrue(bytes(pack(2)) < bytes(PACK_1) * 3 / 100, bytes(pack(2)) + " against " + bytes(PACK_1));
            assertArrayEquals(second, store.read(store.list().get(0)).roots().get(0).data());
            assertArrayEquals(first, store.read(store.list().get(1)).roots().get(0).data());
            assertEquals(List.of(), store.verify().damaged());
        }
    }

    /** A later change is stored against the same whole chunk, not against the delta before it. */
    @Test
    void deltasAreOneLevelDeep() throws Exception {
        byte[] data = FileSnapshotStoreTest.state(256 << 10, 2);
        try (FileSnapshotStore store = FileSnapshotStore.openForWriting(dir)) {
            store.write(FileSnapshotStoreTest.big(1, data));
            for (long s = 2; s <= 5; s++) {
                data = flipped(data, 10, (int) s);
                store.write(FileSnapshotStoreTest.big(s, data));
            }
            for (Manifest.ChunkRef chunk : store.manifest(store.list().get(0)).roots().get(0).chunks()) {
                if (chunk.base() != null) {
                    assertEquals("pack-0000000000000001.pack", chunk.base().pack(), "based on the first snapshot's chunk");
                }
            }
            assertArrayEquals(data, store.read(store.list().get(0)).roots().get(0).data());
        }
    }

    /**
     * Every chunk of snapshot 2 is a delta against snapshot 1's, so once retention removes
     * snapshot 1 only those deltas still need its pack: it stays.
     */
    @Test
    void retentionKeepsThePackOfEveryBaseAKeptSnapshotNeeds() throws Exception {
        byte[] second = writeTwo(3);
        try (FileSnapshotStore store = FileSnapshotStore.openForWriting(dir)) {
            Manifest manifest = store.manifest(store.list().get(0));
            List<Manifest.ChunkRef> chunks = manifest.roots().get(0).chunks();
            assertTrue(chunks.stream().noneMatch(c -> c.pack().equals("pack-0000000000000001.pack")), "all new");
            assertTrue(chunks.stream().filter(c -> c.base() != null).count() > chunks.size() / 2, "mostly deltas");
            store.retain(1);
            assertEquals(List.of(2L), store.list().stream().map(SnapshotRef::sequence).toList());
            assertTrue(Files.exists(dir.resolve(PACK_1)), "the bases' pack is kept");
            assertEquals(List.of(), store.verify().damaged());
            assertEquals(List.of(), store.verify().leftovers());
        }
        try (FileSnapshotStore store = FileSnapshotStore.openForReading(dir)) {
            assertArrayEquals(second, store.read(store.list().get(0)).roots().get(0).data());
        }
    }

    @Test
    void aMissingBaseMakesTheSnapshotsThatNeedItUnreadable() throws Exception {
        writeTwo(4);
        try (FileSnapshotStore store = FileSnapshotStore.openForWriting(dir)) {
            store.retain(1);
        }
        Files.delete(dir.resolve(PACK_1));
        try (FileSnapshotStore store = FileSnapshotStore.openForReading(dir)) {
            CorruptSnapshotException e = assertThrows(CorruptSnapshotException.class, () -> store.read(store.list().get(0)));
            assertTrue(e.getMessage().contains("pack-0000000000000001.pack is missing"), e.getMessage());
            assertFalse(store.verify().damaged().isEmpty());
            Optional<Restorer> restorer = SnapshotSelector.select(store, "latest", AllowedClasses.jdk());
            assertTrue(restorer.isEmpty(), "nothing else to restore");
        }
    }

    /**
     * A flipped bit in a base fails the base's own check, named by its place, in the snapshot
     * that holds it and in the one whose delta needs it: neither restores.
     */
    @Test
    void aDamagedBaseIsDetectedInEverySnapshotThatNeedsIt() throws Exception {
        writeTwo(5);
        Manifest.ChunkRef base;
        try (FileSnapshotStore store = FileSnapshotStore.openForReading(dir)) {
            base = store.manifest(store.list().get(0)).roots().get(0).chunks().stream()
                    .filter(c -> c.base() != null).findFirst().orElseThrow().base();
        }
        try (FileChannel pack = FileChannel.open(dir.resolve(PACK_1), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            long at = base.offset() + base.length() / 2;
            pack.read(one, at);
            one.put(0, (byte) (one.get(0) ^ 0x10)).rewind();
            pack.write(one, at);
        }
        try (FileSnapshotStore store = FileSnapshotStore.openForReading(dir)) {
            CorruptSnapshotException e = assertThrows(CorruptSnapshotException.class, () -> store.read(store.list().get(0)));
            assertTrue(e.getMessage().contains("pack-0000000000000001.pack at offset " + base.offset()), e.getMessage());
            assertEquals(2, store.verify().damaged().size(), "both snapshots need that chunk");
            assertNull(SnapshotSelector.select(store, "latest", AllowedClasses.jdk()).map(Restorer::snapshot)
                    .orElse(null), "neither restores");
        }
    }

    /**
     * Data replaced rather than edited: after some new chunks in a row that no delta could store,
     * the writer stops reading bases back (but for a probe now and then), and stores them whole.
     */
    @Test
    void dataReplacedWholesaleReadsFewBasesBack() throws Exception {
        FaultyBlobs blobs = new FaultyBlobs(dir);
        try (FileSnapshotStore store = FileSnapshotStore.openForWriting(blobs, null, false)) {
            store.write(FileSnapshotStoreTest.big(1, FileSnapshotStoreTest.state(16 << 20, 7)));
            int before = blobs.reads.get();
            store.write(FileSnapshotStoreTest.big(2, FileSnapshotStoreTest.state(16 << 20, 8)));
            List<Manifest.ChunkRef> chunks = store.manifest(store.list().get(0)).roots().get(0).chunks();
            int reads = blobs.reads.get() - before;
            assertTrue(chunks.size() > 800, chunks.size() + " chunks");
            assertTrue(reads < chunks.size() / 10, reads + " bases read back for " + chunks.size() + " new chunks");
            assertTrue(chunks.stream().allMatch(c -> c.base() == null));
        }
    }

    /** An object store is not read back chunk by chunk: its writers store changed chunks whole. */
    @Test
    void aStoreWhoseSmallReadsAreCostlyStoresChangedChunksWhole() throws Exception {
        byte[] first = FileSnapshotStoreTest.state(256 << 10, 6);
        FaultyBlobs blobs = new FaultyBlobs(dir);
        blobs.smallReadsCheap = false;
        try (FileSnapshotStore store = FileSnapshotStore.openForWriting(blobs, null, false)) {
            store.write(FileSnapshotStoreTest.big(1, first));
            store.write(FileSnapshotStoreTest.big(2, flipped(first, 10, 4)));
            assertTrue(store.manifest(store.list().get(0)).roots().get(0).chunks().stream().allMatch(c -> c.base() == null));
        }
    }
}
