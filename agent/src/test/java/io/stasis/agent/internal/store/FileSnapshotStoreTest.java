package io.stasis.agent.internal.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSnapshotStoreTest {

    @TempDir
    Path dir;

    static Snapshot snapshot(long sequence) {
        return new Snapshot(sequence, Instant.ofEpochMilli(1_700_000_000_000L + sequence), "test", 1234, List.of(
                new Root(Root.Kind.STATIC, "com.acme.Ledger", null, List.of("a", "b"), new byte[] {1, 2, 3, (byte) sequence}),
                new Root(Root.Kind.INSTANCE, "com.acme.Account", "42", List.of("balance"), new byte[] {9, 8, 7})));
    }

    /** Structured, compressible data of {@code size} bytes, like serialized state. */
    static byte[] state(int size, long seed) {
        Random random = new Random(seed);
        byte[] data = new byte[size];
        for (int i = 0; i < size; i += 16) {
            String record = "acct-" + random.nextInt(1_000_000) + ":" + random.nextInt(10_000) + ";";
            byte[] bytes = record.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            System.arraycopy(bytes, 0, data, i, Math.min(bytes.length, Math.min(16, size - i)));
        }
        return data;
    }

    static Snapshot big(long sequence, byte[] data) {
        return new Snapshot(sequence, Instant.ofEpochMilli(1_700_000_000_000L + sequence), "test", 1, List.of(
                new Root(Root.Kind.STATIC, "com.acme.Big", null, List.of("data"), data)));
    }

    private static long packBytes(Path dir, long sequence) throws IOException {
        Path pack = dir.resolve(StoreNames.PACKS).resolve(String.format("pack-%016d.pack", sequence));
        return Files.exists(pack) ? Files.size(pack) : 0;
    }

    @Test
    void aSnapshotRetiredWhileListedIsGoneNotDamaged() throws Exception {
        try (FileSnapshotStore writer = FileSnapshotStore.openForWriting(dir)) {
            writer.write(snapshot(1));
            writer.write(snapshot(2));
            try (FileSnapshotStore reader = FileSnapshotStore.openForReading(dir, null)) {
                List<SnapshotRef> listed = reader.list();
                writer.retain(1); // a live writer's retention, between the listing and the reads
                SnapshotRef retired = listed.get(1);
                assertEquals(1, retired.sequence());
                assertThrows(SnapshotRemovedException.class, () -> reader.read(retired));
                FileSnapshotStore.Verification verification = reader.verify();
                assertEquals(List.of(), verification.damaged());
            }
        }
    }

    @Test
    void chunksWrittenWithoutCompressionTakeTheirSizeAndReadBackBesideCompressedOnes() throws Exception {
        // over 4 MiB each: written through several staging buffers, chunks split across them, and
        // read back in several runs of adjacent chunks through one buffer
        byte[] first = state(10 << 20, 1);
        byte[] second = state(10 << 20, 2);
        try (FileSnapshotStore store = FileSnapshotStore.openForWriting(dir)) {
            store.write(big(1, first));
            store.compressChunks(false);
            store.write(big(2, second));
        }
        assertTrue(packBytes(dir, 1) < 0.9 * first.length, packBytes(dir, 1) + " bytes compressed");
        assertTrue(packBytes(dir, 2) > first.length, packBytes(dir, 2) + " bytes stored as they are");
        try (FileSnapshotStore store = FileSnapshotStore.openForReading(dir)) {
            assertArrayEquals(first, store.read(store.list().get(1)).roots().get(0).data());
            assertArrayEquals(second, store.read(store.list().get(0)).roots().get(0).data());
            assertEquals(List.of(), store.verify().damaged());
        }
    }

    @Test
    void writesAndReadsBackEveryField() throws Exception {
        try (FileSnapshotStore store = FileSnapshotStore.openForWriting(dir)) {
            assertEquals(1, store.nextSequence());
            SnapshotRef ref = store.write(snapshot(1));
            assertEquals("1", ref.id());
            assertEquals(2, store.nextSequence());
            Snapshot read = store.read(ref);
            assertEquals(1, read.sequence());
            assertEquals("test", read.reason());
            assertEquals(1234, read.pauseNanos());
            assertEquals(snapshot(1).time(), read.time());
            assertEquals(2, read.roots().size());
            Root account = read.roots().get(1);
            assertEquals("com.acme.Account[42]", account.name());
            assertArrayEquals(new byte[] {9, 8, 7}, account.data());
            assertEquals("static com.acme.Ledger", read.roots().get(0).name());
        }
        String manifest = Files.readString(dir.resolve("manifests/snapshot-0000000000000001.json"));
        assertTrue(manifest.contains("\"owner\" : \"com.acme.Account\""), "people can read it:\n" + manifest);
    }

    @Test
    void anotherProcessListsTheSizeTheWriterReported() throws Exception {
        long written;
        try (FileSnapshotStore store = FileSnapshotStore.openForWriting(dir)) {
            written = store.write(big(1, state(1 << 20, 1))).bytes();
        }
        try (FileSnapshotStore reader = FileSnapshotStore.openForReading(dir)) {
            assertEquals(written, reader.storedBytes(reader.list().get(0)), "chunks and manifest, before anything is read");
        }
    }

    @Test
    void theManifestCarriesTheClassTable() throws Exception {
        Snapshot snapshot = snapshot(1);
        Snapshot withClasses = new Snapshot(1, snapshot.time(), snapshot.reason(), snapshot.pauseNanos(), snapshot.roots(),
                List.of("com.acme.Account", "java.util.HashMap"));
        try (FileSnapshotStore store = FileSnapshotStore.openForWriting(dir)) {
            store.write(withClasses);
        }
        try (FileSnapshotStore store = FileSnapshotStore.openForReading(dir)) {
            assertEquals(List.of("com.acme.Account", "java.util.HashMap"), store.read(store.list().get(0)).classes());
        }
    }

    @Test
    void retainsTheNewestAndNumbersOnAfterARestart() throws Exception {
        try (FileSnapshotStore store = FileSnapshotStore.openForWriting(dir)) {
            for (long s = 1; s <= 6; s++) {
                store.write(snapshot(s));
            }
            store.retain(2);
            assertEquals(List.of(6L, 5L), store.list().stream().map(SnapshotRef::sequence).toList());
            assertEquals(List.of(), store.verify().leftovers(), "the packs of retired snapshots are collected");
            assertEquals(snapshot(5).roots().get(0).data()[3], store.read(store.list().get(1)).roots().get(0).data()[3]);
        }
        try (FileSnapshotStore store = FileSnapshotStore.openForWriting(dir)) {
            assertEquals(7, store.nextSequence());
        }
    }

    @Test
    void retentionNeverRemovesTheNewestSnapshotThatVerifies() throws Exception {
        try (FileSnapshotStore store = FileSnapshotStore.openForWriting(dir)) {
            store.write(snapshot(1));
            store.write(snapshot(2));
            Files.writeString(dir.resolve("manifests/snapshot-0000000000000002.json"), "{ damaged");
            store.retain(1);
            assertEquals(List.of(2L, 1L), store.list().stream().map(SnapshotRef::sequence).toList());
            assertEquals(1, store.read(store.list().get(1)).sequence());
        }
    }

    @Test
    void aSecondWriterIsRefusedWithAClearMessage() throws Exception {
        try (FileSnapshotStore first = FileSnapshotStore.openForWriting(dir)) {
            StoreLockedException e = assertThrows(StoreLockedException.class, () -> FileSnapshotStore.openForWriting(dir));
            assertTrue(e.getMessage().contains("another process is writing snapshots"), e.getMessage());
        }
        FileSnapshotStore.openForWriting(dir).close();
    }

    @Test
    void leftoversOfACrashedWriteAreInvisibleAndRemoved() throws Exception {
        try (FileSnapshotStore store = FileSnapshotStore.openForWriting(dir)) {
            store.write(snapshot(1));
        }
        Files.write(dir.resolve("packs/.pack-0000000000000002.pack.tmp"), new byte[] {1, 2, 3});
        Files.write(dir.resolve("packs/pack-0000000000000002.pack"), new byte[] {4, 5, 6});
        Files.write(dir.resolve("manifests/.snapshot-0000000000000002.json.tmp"), new byte[] {7});
        try (FileSnapshotStore reader = FileSnapshotStore.openForReading(dir)) {
            assertEquals(1, reader.list().size(), "only a published manifest is a snapshot");
            FileSnapshotStore.Verification verification = reader.verify();
            assertEquals(List.of(), verification.damaged());
            assertEquals(3, verification.leftovers().size(), verification.leftovers().toString());
        }
        try (FileSnapshotStore writer = FileSnapshotStore.openForWriting(dir)) {
            assertEquals(List.of("packs/pack-0000000000000002.pack"), writer.gc());
            assertEquals(List.of(), writer.verify().leftovers());
        }
        try (Stream<Path> files = Files.walk(dir)) {
            assertFalse(files.anyMatch(f -> f.toString().endsWith(".tmp")));
        }
    }

    @Test
    void unchangedDataIsNotWrittenAgain() throws Exception {
        byte[] first = state(8 << 20, 1);
        byte[] second = first.clone();
        byte[] changed = state(first.length / 100, 2); // 1% of the bytes, in five places
        for (int i = 0; i < 5; i++) {
            System.arraycopy(changed, i * changed.length / 5, second, i * (first.length / 5), changed.length / 5);
        }
        byte[] shifted = new byte[second.length + 7]; // and an insertion near the start
        System.arraycopy(second, 0, shifted, 0, 1000);
        System.arraycopy(second, 1000, shifted, 1007, second.length - 1000);
        try (FileSnapshotStore store = FileSnapshotStore.openForWriting(dir)) {
            store.write(big(1, first));
            store.write(big(2, shifted));
            long full = packBytes(dir, 1);
            long incremental = packBytes(dir, 2);
            assertTrue(incremental <= full / 20, "the second snapshot wrote " + incremental + " of " + full + " bytes");
            assertArrayEquals(shifted, store.read(store.list().get(0)).roots().get(0).data());
            assertArrayEquals(first, store.read(store.list().get(1)).roots().get(0).data());
            store.write(big(3, shifted));
            assertEquals(0, packBytes(dir, 3), "nothing new: no pack at all");
        }
    }

    @Test
    void readsTheFormatVersion1FixtureWrittenByTheFirstRelease() throws Exception {
        try (InputStream fixture = getClass().getResourceAsStream("/store-format-v1/snapshot-0000000000000001.stasis")) {
            Files.copy(fixture, dir.resolve("snapshot-0000000000000001.stasis"));
        }
        try (FileSnapshotStore store = FileSnapshotStore.openForWriting(dir)) {
            Snapshot v1 = store.read(store.list().get(0));
            assertEquals("fixture", v1.reason());
            assertEquals(Instant.parse("2026-11-20T10:00:00Z"), v1.time());
            assertEquals(List.of("static com.acme.Ledger", "com.acme.Account[A-1]"),
                    v1.roots().stream().map(Root::name).toList());
            assertEquals(List.of("total", "names", "counts"), v1.roots().get(0).fields());
            assertEquals(2, store.nextSequence());
            store.write(snapshot(2));
            assertEquals(List.of(2L, 1L), store.list().stream().map(SnapshotRef::sequence).toList());
            assertEquals(List.of(), store.verify().damaged());
        }
    }

    /** Every single flipped bit, and every truncation, of a version-1 file is detected. */
    @Test
    void everyFlippedBitAndEveryTruncationOfAVersion1FileIsDetected() throws Exception {
        byte[] good;
        try (InputStream fixture = getClass().getResourceAsStream("/store-format-v1/snapshot-0000000000000001.stasis")) {
            good = fixture.readAllBytes();
        }
        for (int i = 0; i < good.length; i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] bad = good.clone();
                bad[i] ^= (byte) (1 << bit);
                assertThrows(CorruptSnapshotException.class, () -> FormatV1.read(bad, "flipped"), "byte " + i);
            }
        }
        for (int length = 0; length < good.length; length++) {
            byte[] truncated = Arrays.copyOf(good, length);
            assertThrows(CorruptSnapshotException.class, () -> FormatV1.read(truncated, "truncated"));
        }
    }

    @Test
    void anEncryptedStoreHidesContentAndNamesAndRefusesOtherKeys() throws Exception {
        StoreKey key = StoreKey.of(HexFormat.of().parseHex("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"));
        StoreKey other = StoreKey.of(new byte[32]);
        byte[] secret = "the canary secret value, repeated: ".repeat(2000).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try (FileSnapshotStore store = FileSnapshotStore.openForWriting(dir, key)) {
            store.write(big(1, secret));
        }
        byte[] pack = Files.readAllBytes(dir.resolve("packs/pack-0000000000000001.pack"));
        assertFalse(new String(pack, java.nio.charset.StandardCharsets.ISO_8859_1).contains("canary"));
        String manifest = Files.readString(dir.resolve("manifests/snapshot-0000000000000001.json"));
        String plainName = new ChunkCodec(null).name(Arrays.copyOf(secret, Chunker.boundaries(secret, 0, 1)[0]));
        assertFalse(manifest.contains("canary"));
        try (FileSnapshotStore right = FileSnapshotStore.openForReading(dir, key)) {
            List<String> names = right.manifest(right.list().get(0)).chunks().stream().map(Manifest.ChunkRef::name).toList();
            assertFalse(names.contains(plainName), "chunk names are keyed");
            assertEquals(new ChunkCodec(key).name(Arrays.copyOf(secret, Chunker.boundaries(secret, 0, 1)[0])), names.get(0));
            assertArrayEquals(secret, right.read(right.list().get(0)).roots().get(0).data());
        }
        for (StoreKey wrong : new StoreKey[] {null, other}) {
            try (FileSnapshotStore store = FileSnapshotStore.openForReading(dir, wrong)) {
                WrongKeyException e = assertThrows(WrongKeyException.class, store::checkKey);
                assertTrue(e.getMessage().contains("is encrypted"), e.getMessage());
                assertThrows(WrongKeyException.class, () -> store.read(store.list().get(0)));
            }
        }
    }

    /** Only what a key checked counts as written by a holder of it: restore then rebuilds it without the hashing budget. */
    @Test
    void onlySnapshotsAKeyCheckedAreAuthenticated() throws Exception {
        StoreKey key = StoreKey.of(HexFormat.of().parseHex("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"));
        Path plainDir = dir.resolve("plain");
        Path keyedDir = dir.resolve("keyed");
        try (FileSnapshotStore plain = FileSnapshotStore.openForWriting(plainDir);
             FileSnapshotStore keyed = FileSnapshotStore.openForWriting(keyedDir, key)) {
            plain.write(snapshot(1));
            keyed.write(snapshot(1));
            assertFalse(plain.read(plain.list().get(0)).authenticated(), "no key, nothing authenticated");
            assertTrue(keyed.read(keyed.list().get(0)).authenticated(), "checked by the key");
        }
        try (FileSnapshotStore migrating = FileSnapshotStore.openForReading(plainDir, key, true)) {
            Snapshot read = migrating.read(migrating.list().get(0));
            assertArrayEquals(snapshot(1).roots().get(0).data(), read.roots().get(0).data());
            assertFalse(read.authenticated(), "a plain snapshot read by a store that has a key is still plain");
        }
    }

    /** Whether a root shares objects is kept in its manifest entry, only where it does: older manifests read as not. */
    @Test
    void whetherARootSharesObjectsIsKept() throws Exception {
        Snapshot written = new Snapshot(1, Instant.ofEpochMilli(1_700_000_000_000L), "test", 1234, List.of(
                new Root(Root.Kind.STATIC, "com.acme.Ledger", null, List.of("a"), new byte[] {1, 2, 3}, true),
                new Root(Root.Kind.INSTANCE, "com.acme.Account", "42", List.of("balance"), new byte[] {9, 8, 7})));
        try (FileSnapshotStore store = FileSnapshotStore.openForWriting(dir)) {
            store.write(written);
            Snapshot read = store.read(store.list().get(0));
            assertEquals(List.of(true, false), read.roots().stream().map(Root::sharesObjects).toList());
        }
        String manifest = Files.readString(dir.resolve("manifests/snapshot-0000000000000001.json"));
        assertEquals(1, manifest.split("\"shares\"", -1).length - 1, manifest);
    }

    @Test
    void keyFilesMustHold32HexBytes() throws Exception {
        Path file = dir.resolve("key");
        Files.writeString(file, "not a key\n");
        assertThrows(IllegalArgumentException.class, () -> StoreKey.read(file));
        Files.writeString(file, "ab".repeat(32) + "\n");
        assertNotEquals(StoreKey.read(file).id(), StoreKey.of(new byte[32]).id());
    }

    @Test
    void aSnapshotCollectedWhileAnotherProcessReadsItIsReportedNotMisread() throws Exception {
        try (FileSnapshotStore writer = FileSnapshotStore.openForWriting(dir);
             FileSnapshotStore reader = FileSnapshotStore.openForReading(dir)) {
            writer.write(big(1, state(1 << 20, 1)));
            SnapshotRef listed = reader.list().get(0);
            writer.write(big(2, state(1 << 20, 2)));
            writer.retain(1);
            CorruptSnapshotException e = assertThrows(CorruptSnapshotException.class, () -> reader.read(listed));
            assertTrue(e.getMessage().contains("has no manifest"), e.getMessage());
            assertArrayEquals(state(1 << 20, 2), reader.read(reader.list().get(0)).roots().get(0).data());
        }
    }
}
