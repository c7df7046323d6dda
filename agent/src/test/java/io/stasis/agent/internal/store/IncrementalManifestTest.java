package io.stasis.agent.internal.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stasis.agent.internal.restore.Restorer;
import io.stasis.agent.internal.restore.SnapshotSelector;
import io.stasis.kryo.AllowedClasses;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Manifests of format 3: a snapshot after a small change lists little more than its changed
 * chunks, against a full base; restore, verify and retention follow the base, and a base that
 * does not read takes its snapshots with it (refused, never misread).
 */
class IncrementalManifestTest {

    @TempDir
    Path dir;

    private final Map<Long, byte[]> written = new HashMap<>();

    /** Writes snapshot {@code sequence} with {@code data} as its one big root. */
    private void write(FileSnapshotStore store, long sequence, byte[] data) throws IOException {
        store.write(FileSnapshotStoreTest.big(sequence, data));
        written.put(sequence, data);
    }

    /** {@code data} with {@code places} spots of {@code each} bytes overwritten, evenly spread. */
    private static byte[] changed(byte[] data, int places, int each, long seed) {
        byte[] copy = data.clone();
        byte[] fresh = FileSnapshotStoreTest.state(places * each, seed);
        for (int i = 0; i < places; i++) {
            System.arraycopy(fresh, i * each, copy, (int) ((long) i * data.length / places), each);
        }
        return copy;
    }

    private long manifestBytes(long sequence) throws IOException {
        return Files.size(dir.resolve(String.format("manifests/snapshot-%016d.json", sequence)));
    }

    private long packBytes(long sequence) throws IOException {
        Path pack = dir.resolve(String.format("packs/pack-%016d.pack", sequence));
        return Files.exists(pack) ? Files.size(pack) : 0;
    }

    /** Three snapshots: 1 full, 2 and 3 small changes stored against it. */
    private void writeThree() throws IOException {
        byte[] data = FileSnapshotStoreTest.state(1 << 20, 1);
        try (FileSnapshotStore store = FileSnapshotStore.openForWriting(dir)) {
            write(store, 1, data);
            write(store, 2, changed(data, 5, 300, 2));
            write(store, 3, changed(data, 5, 300, 3));
            assertEquals(1, store.manifest(store.list().get(0)).base());
        }
    }

    private void assertRestores(FileSnapshotStore store, long expected) throws IOException {
        Optional<Restorer> restorer = SnapshotSelector.select(store, "latest", AllowedClasses.jdk());
        assertEquals(expected, restorer.orElseThrow().snapshot().sequence());
        assertArrayEquals(written.get(expected), restorer.get().snapshot().roots().get(0).data());
    }

    /**
     * An upload whose answer was lost leaves its pack behind (planted here after the writer chose
     * its number): that checkpoint fails, and the next takes the next number instead of meeting the
     * same pack forever.
     */
    @Test
    void aPackLeftUnderTheNextNumberCostsOneCheckpointNotEveryOneAfter() throws Exception {
        byte[] data = FileSnapshotStoreTest.state(1 << 16, 7);
        try (FileSnapshotStore store = FileSnapshotStore.openForWriting(dir)) {
            write(store, store.nextSequence(), data);
            long next = store.nextSequence();
            Files.write(dir.resolve(String.format("packs/pack-%016d.pack", next)), new byte[] {1, 2, 3});
            assertThrows(StoreLockedException.class, () -> write(store, next, changed(data, 1, 100, 8)));
            long after = store.nextSequence();
            assertEquals(next + 1, after);
            write(store, after, changed(data, 1, 100, 9));
            assertRestores(store, after);
        }
    }

    /**
     * A writer that takes the store over (an expired lease) after numbering its cut, while the
     * writer before it used that number: the cut is stored under the first number left free, not
     * failed and retried after a back-off (S3StoreIT's takeover waited past a minute for it).
     */
    @Test
    void aCutNumberedBeforeATakeoverIsStoredUnderTheFirstFreeNumber() throws Exception {
        byte[] data = FileSnapshotStoreTest.state(1 << 16, 11);
        FaultyBlobs blobs = new FaultyBlobs(dir);
        try (FileSnapshotStore store = FileSnapshotStore.openForWriting(blobs, null, false)) {
            write(store, store.nextSequence(), data);
            long numbered = store.nextSequence();
            // What the writer before left under that number while this one waited for the lease.
            Files.write(dir.resolve(String.format("packs/pack-%016d.pack", numbered)), new byte[] {1, 2, 3});
            blobs.takeOver = true;
            byte[] cut = changed(data, 1, 100, 12);
            SnapshotRef ref = store.write(FileSnapshotStoreTest.big(numbered, cut));
            assertEquals(numbered + 1, ref.sequence());
            written.put(ref.sequence(), cut);
            assertRestores(store, ref.sequence());
        }
    }

    /**
     * A group member's aborted epoch: its snapshot is removed, the next is still stored against
     * the base, and a snapshot that is another's base is never removed.
     */
    @Test
    void aDiscardedSnapshotLeavesTheOthersReadableAndABaseInPlace() throws Exception {
        writeThree();
        byte[] data = written.get(1L);
        try (FileSnapshotStore store = FileSnapshotStore.openForWriting(dir)) {
            SnapshotRef third = store.list().get(0);
            store.discard(third);
            assertEquals(List.of(2L, 1L), store.list().stream().map(SnapshotRef::sequence).toList());
            write(store, 4, changed(data, 5, 300, 4));
            assertEquals(1, store.manifest(store.list().get(0)).base(), "the next is stored against the base");
            assertRestores(store, 4);

            SnapshotRef base = store.list().get(2);
            IOException refused = assertThrows(IOException.class, () -> store.discard(base));
            assertTrue(refused.getMessage().contains("base of a newer snapshot"), refused.getMessage());
            assertEquals(List.of(4L, 2L, 1L), store.list().stream().map(SnapshotRef::sequence).toList());
            assertRestores(store, 4);
        }
    }

    /**
     * A root read back and written again unchanged (carried forward while its owner's class is not
     * loaded yet) stores no chunk again.
     */
    @Test
    void aRootReadBackIsWrittenAgainWithoutNewChunks() throws Exception {
        byte[] data = new byte[1 << 20];
        new Random(5).nextBytes(data);
        try (FileSnapshotStore store = FileSnapshotStore.openForWriting(dir)) {
            store.write(new Snapshot(1, Instant.now(), "test", 1, List.of(
                    new Root(Root.Kind.STATIC, "com.acme.Big", null, List.of("data"), data))));
            Root readBack = store.read(store.list().get(0)).roots().get(0);
            store.write(new Snapshot(2, Instant.now(), "test", 1, List.of(readBack)));
            assertEquals(0, packBytes(2), "chunks stored again");
            assertArrayEquals(data, store.read(store.list().get(0)).roots().get(0).data());
        }
    }

    /** Before format 3, 1 % changed in 10 places wrote about 8 % of the first: 16 KiB chunks and every chunk listed. */
    @Test
    void aSmallChangeWritesLittleMoreThanTheChange() throws Exception {
        byte[] data = FileSnapshotStoreTest.state(4 << 20, 1);
        try (FileSnapshotStore store = FileSnapshotStore.openForWriting(dir)) {
            write(store, 1, data);
            write(store, 2, changed(data, 10, 4 << 10, 2));
            long first = packBytes(1) + manifestBytes(1);
            long second = packBytes(2) + manifestBytes(2);
            assertTrue(second < first * 4 / 100, second + " bytes written for 1 % changed, against " + first);
            // some 20 of 256 chunks changed, each listed with the chunk it is a delta against
            assertTrue(manifestBytes(2) < manifestBytes(1) / 4, manifestBytes(2) + " against " + manifestBytes(1));
            assertEquals(1, store.manifest(store.list().get(0)).base());
        }
        try (FileSnapshotStore store = FileSnapshotStore.openForReading(dir)) {
            for (SnapshotRef ref : store.list()) {
                assertArrayEquals(written.get(ref.sequence()), store.read(ref).roots().get(0).data());
            }
            assertEquals(List.of(), store.verify().damaged());
        }
    }

    @Test
    void aDamagedBaseRefusesTheSnapshotsStoredAgainstItAndRestoreFallsBack() throws Exception {
        byte[] data = FileSnapshotStoreTest.state(1 << 20, 1);
        byte[] other = FileSnapshotStoreTest.state(1 << 20, 7);
        try (FileSnapshotStore store = FileSnapshotStore.openForWriting(dir)) {
            write(store, 1, data);
            write(store, 2, other); // everything changed: a new base
            write(store, 3, changed(other, 5, 300, 3));
            assertEquals(-1, store.manifest(store.list().get(1)).base());
            assertEquals(2, store.manifest(store.list().get(0)).base());
        }
        Path base = dir.resolve("manifests/snapshot-0000000000000002.json");
        Files.writeString(base, Files.readString(base).replace("\"reason\" : \"test\"", "\"reason\" : \"tost\""));
        try (FileSnapshotStore store = FileSnapshotStore.openForReading(dir)) {
            SnapshotRef third = store.list().get(0);
            CorruptSnapshotException e = assertThrows(CorruptSnapshotException.class, () -> store.read(third));
            assertTrue(e.getMessage().contains("is stored against snapshot 2, which does not read"), e.getMessage());
            List<String> damaged = store.verify().damaged();
            assertTrue(damaged.stream().anyMatch(d -> d.contains("stored against snapshot 2")), damaged.toString());
            assertRestores(store, 1);
        }
        Files.delete(base);
        try (FileSnapshotStore store = FileSnapshotStore.openForReading(dir)) {
            assertThrows(CorruptSnapshotException.class, () -> store.read(store.list().get(0)));
            assertTrue(store.verify().damaged().stream().anyMatch(d -> d.contains("stored against snapshot 2")));
            assertRestores(store, 1);
        }
    }

    @Test
    void retentionNeverRemovesTheBaseOfASnapshotItKeeps() throws Exception {
        writeThree();
        try (FileSnapshotStore store = FileSnapshotStore.openForWriting(dir)) {
            write(store, 4, changed(written.get(1L), 5, 300, 4));
            store.retain(2);
            assertEquals(List.of(4L, 3L, 1L), store.list().stream().map(SnapshotRef::sequence).toList());
            FileSnapshotStore.Verification verification = store.verify();
            assertEquals(List.of(), verification.damaged());
            assertEquals(List.of(), verification.leftovers());
        }
        try (FileSnapshotStore store = FileSnapshotStore.openForReading(dir)) {
            for (SnapshotRef ref : store.list()) {
                assertArrayEquals(written.get(ref.sequence()), store.read(ref).roots().get(0).data());
            }
        }
    }

    /** Another key cannot read the base, so its first snapshot lists every chunk; each key reads its own. */
    @Test
    void anEncryptedSnapshotIsStoredOnlyAgainstABaseOfItsKey() throws Exception {
        StoreKey key = StoreKey.of(java.util.HexFormat.of().parseHex("11".repeat(32)));
        StoreKey other = StoreKey.of(java.util.HexFormat.of().parseHex("22".repeat(32)));
        byte[] data = FileSnapshotStoreTest.state(1 << 20, 1);
        try (FileSnapshotStore store = FileSnapshotStore.openForWriting(dir, key)) {
            write(store, 1, data);
            write(store, 2, changed(data, 5, 300, 2));
        }
        try (FileSnapshotStore store = FileSnapshotStore.openForWriting(dir, other, false)) {
            write(store, 3, changed(data, 5, 300, 3));
            write(store, 4, changed(data, 5, 300, 4));
        }
        assertReadsAgainstItsBase(key, 2, 1);
        assertReadsAgainstItsBase(other, 4, 3);
    }

    /** With {@code key}, snapshot {@code sequence} is stored against {@code base}, which is full; both read as written. */
    private void assertReadsAgainstItsBase(StoreKey key, long sequence, long base) throws IOException {
        try (FileSnapshotStore store = FileSnapshotStore.openForReading(dir, key)) {
            SnapshotRef ref = new SnapshotRef(String.valueOf(sequence), sequence, 0);
            SnapshotRef baseRef = new SnapshotRef(String.valueOf(base), base, 0);
            assertEquals(base, store.manifest(ref).base());
            assertEquals(-1, store.manifest(baseRef).base());
            assertArrayEquals(written.get(sequence), store.read(ref).roots().get(0).data());
            assertArrayEquals(written.get(base), store.read(baseRef).roots().get(0).data());
        }
    }

    /** A base must list every chunk: a chain of bases, which a forger could make as long as he likes, is refused. */
    @Test
    void aSnapshotStoredAgainstOneThatIsStoredAgainstAnotherIsRefused() throws Exception {
        writeThree();
        try (FileSnapshotStore store = FileSnapshotStore.openForReading(dir)) {
            Manifest second = store.manifest(store.list().get(1));
            Manifest third = store.manifest(store.list().get(0));
            Manifest chained = new Manifest(4, third.time(), third.reason(), 3, 2, third.pauseNanos(),
                    third.writeNanos(), third.agent(), third.jvm(), null, third.classes(), third.roots());
            Files.write(dir.resolve("manifests/snapshot-0000000000000004.json"),
                    ManifestCodec.write(chained, second, ChunkCodec.PLAIN_CODEC));
        }
        written.put(4L, null);
        try (FileSnapshotStore store = FileSnapshotStore.openForReading(dir)) {
            SnapshotRef fourth = store.list().get(0);
            CorruptSnapshotException e = assertThrows(CorruptSnapshotException.class, () -> store.read(fourth));
            assertTrue(e.getMessage().contains("is stored against snapshot 1 itself"), e.getMessage());
            assertRestores(store, 3);
        }
    }

    /** Format 2 (JSON chunk lists, 16 KiB chunks), written by the version before format 3. */
    @Test
    void aStoreOfFormat2StillReadsAndTakesNewSnapshots() throws Exception {
        copyFixture("store-format-v2");
        try (FileSnapshotStore store = FileSnapshotStore.openForWriting(dir)) {
            for (long s = 1; s <= 2; s++) {
                Snapshot snapshot = store.read(store.list().get(2 - (int) s));
                assertEquals(Instant.parse("2026-12-01T10:00:0" + s + "Z"), snapshot.time());
                assertArrayEquals(format2Data((int) s), snapshot.roots().get(0).data());
                assertArrayEquals(new byte[] {(byte) s}, snapshot.roots().get(1).data());
            }
            write(store, 3, format2Data(2));
            write(store, 4, changed(format2Data(2), 1, 100, 4));
            assertEquals(List.of(), store.verify().damaged());
        }
        try (FileSnapshotStore store = FileSnapshotStore.openForReading(dir)) {
            assertArrayEquals(written.get(4L), store.read(store.list().get(0)).roots().get(0).data());
            assertArrayEquals(written.get(3L), store.read(store.list().get(1)).roots().get(0).data());
        }
    }

    /**
     * Format 3 (binary chunk lists, 4 KiB chunks, whole), written by the version before format 4:
     * snapshot 2 is stored against snapshot 1 as its base. Format 4 cuts 16 KiB chunks, so the first
     * snapshot after the upgrade stores its data once more; small changes after it store little.
     */
    @Test
    void aStoreOfFormat3StillReadsAndTakesNewSnapshots() throws Exception {
        copyFixture("store-format-v3");
        try (FileSnapshotStore store = FileSnapshotStore.openForWriting(dir)) {
            assertEquals(1, store.manifest(store.list().get(0)).base());
            assertRecordsFixtureReads(store);
            write(store, 3, recordsData(2, 400_000));
            writeASmallChangeAs4(store);
        }
        assertSnapshots3And4Read();
    }

    /**
     * Format 4, the format written now, as an earlier build wrote it: snapshot 2's changed chunk is a
     * delta against snapshot 1's. It reads, and the next snapshots store only what changed, so the
     * format (and its chunking) does not drift unnoticed.
     */
    @Test
    void aStoreOfFormat4StillReadsAndTakesNewSnapshots() throws Exception {
        copyFixture("store-format-v4");
        try (FileSnapshotStore store = FileSnapshotStore.openForWriting(dir)) {
            assertTrue(store.manifest(store.list().get(0)).roots().get(0).chunks().stream().anyMatch(c -> c.base() != null),
                    "the fixture holds a delta");
            assertRecordsFixtureReads(store);
            write(store, 3, recordsData(2, 400_000));
            assertEquals(0, packBytes(3), "nothing stored again");
            writeASmallChangeAs4(store);
        }
        assertSnapshots3And4Read();
    }

    /** A fixture's snapshots 1 and 2 hold {@link #recordsData} of their number, taken a millisecond apart. */
    private static void assertRecordsFixtureReads(FileSnapshotStore store) throws IOException {
        for (long s = 1; s <= 2; s++) {
            Snapshot snapshot = store.read(store.list().get(2 - (int) s));
            assertEquals(Instant.ofEpochMilli(1_700_000_000_000L + s), snapshot.time());
            assertArrayEquals(recordsData((int) s, 400_000), snapshot.roots().get(0).data());
        }
    }

    /** Snapshot 4: snapshot 3's data changed in three places, which stores little; the store verifies. */
    private void writeASmallChangeAs4(FileSnapshotStore store) throws IOException {
        write(store, 4, changed(written.get(3L), 3, 100, 4));
        assertEquals(List.of(), store.verify().damaged());
        assertTrue(packBytes(4) < 4 << 10, "a small change stores little: " + packBytes(4));
    }

    private void assertSnapshots3And4Read() throws IOException {
        try (FileSnapshotStore store = FileSnapshotStore.openForReading(dir)) {
            assertArrayEquals(written.get(4L), store.read(store.list().get(0)).roots().get(0).data());
            assertArrayEquals(written.get(3L), store.read(store.list().get(1)).roots().get(0).data());
        }
    }

    /** What a reader of an older version meets in a store of a newer one: a format it does not know is damage, never half read. */
    @Test
    void aManifestOfALaterFormatIsRefusedAsDamaged() throws Exception {
        byte[] data = FileSnapshotStoreTest.state(1 << 16, 1);
        try (FileSnapshotStore store = FileSnapshotStore.openForWriting(dir)) {
            write(store, 1, data);
            write(store, 2, changed(data, 1, 100, 2));
        }
        Path newest = dir.resolve("manifests/snapshot-0000000000000002.json");
        Files.writeString(newest, Files.readString(newest).replace("\"format\" : 4", "\"format\" : 5"));
        try (FileSnapshotStore store = FileSnapshotStore.openForReading(dir)) {
            CorruptSnapshotException e = assertThrows(CorruptSnapshotException.class, () -> store.read(store.list().get(0)));
            assertTrue(e.getMessage().contains("has format 5; this version reads 2 to 4"), e.getMessage());
            assertArrayEquals(data, store.read(store.list().get(1)).roots().get(0).data());
        }
    }

    private void copyFixture(String fixtureDir) throws IOException {
        for (String file : List.of("manifests/snapshot-0000000000000001.json", "manifests/snapshot-0000000000000002.json",
                "packs/pack-0000000000000001.pack", "packs/pack-0000000000000002.pack")) {
            Files.createDirectories(dir.resolve(file).getParent());
            try (InputStream fixture = getClass().getResourceAsStream("/" + fixtureDir + "/" + file)) {
                Files.copy(fixture, dir.resolve(file));
            }
        }
    }

    private static byte[] format2Data(int snapshot) {
        return recordsData(snapshot, 80_000);
    }

    /**
     * The data of the fixtures' big root: {@code size} bytes of numbered records (80 KB in format 2's,
     * 400 KB in format 3's); snapshot 2 changes one record.
     */
    private static byte[] recordsData(int snapshot, int size) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; b.length() < size; i++) {
            b.append("record-").append(i).append('=')
                    .append(i == 3000 && snapshot == 2 ? "changed" : Integer.toHexString(i * 2654435761L > 0 ? i * 7919 : i))
                    .append(';');
        }
        return b.toString().getBytes(StandardCharsets.US_ASCII);
    }
}
