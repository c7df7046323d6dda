package io.stasis.agent.internal.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stasis.agent.internal.restore.Restorer;
import io.stasis.agent.internal.restore.SnapshotSelector;
import io.stasis.kryo.AllowedClasses;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Manifests that declare what a store never holds, checksummed as anyone can for a plain store:
 * each is reported (by {@code read}, {@code verify} and restore alike) and restore takes the
 * snapshot before it; nothing is allocated from a length that is not checked first.
 */
class HostileManifestTest {

    @TempDir
    Path dir;

    private byte[] writeOne() throws Exception {
        byte[] data = FileSnapshotStoreTest.state(200 << 10, 1);
        try (FileSnapshotStore store = FileSnapshotStore.openForWriting(dir)) {
            store.write(FileSnapshotStoreTest.big(1, data));
        }
        return data;
    }

    /** The forged snapshot is damaged everywhere; restore takes snapshot 1 as written. */
    private void assertRefusedAndFallsBack(long forged, byte[] data, String expected) throws Exception {
        try (FileSnapshotStore store = FileSnapshotStore.openForReading(dir)) {
            SnapshotRef ref = store.list().get(0);
            assertEquals(forged, ref.sequence());
            CorruptSnapshotException e = assertThrows(CorruptSnapshotException.class, () -> store.read(ref));
            assertTrue(e.getMessage().contains(expected), e.getMessage());
            List<String> damaged = store.verify().damaged();
            assertTrue(damaged.stream().anyMatch(d -> d.contains(expected)), damaged.toString());
            Optional<Restorer> restorer = SnapshotSelector.select(store, "latest", AllowedClasses.jdk());
            assertEquals(1, restorer.orElseThrow().snapshot().sequence());
            assertArrayEquals(data, restorer.get().snapshot().roots().get(0).data());
        }
    }

    @Test
    void aChunkOfTwoGigabytesIsRefusedBeforeAnythingIsAllocated() throws Exception {
        byte[] data = writeOne();
        long forged = ForgedManifests.forgeChunkBytes(dir, 2_147_483_000);
        assertRefusedAndFallsBack(forged, data, "'bytes' is 2147483000, not a whole number from 0 to " + Chunker.MAX);
    }

    @Test
    void aNegativeLengthIsRefused() throws Exception {
        byte[] data = writeOne();
        long forged = ForgedManifests.forgeChunkBytes(dir, -5);
        assertRefusedAndFallsBack(forged, data, "'bytes' is -5");
    }

    @Test
    void storedLengthsAndOffsetsAreBoundedToo() throws Exception {
        byte[] data = writeOne();
        long forged = ForgedManifests.forgeNext(dir, chunks -> chunks.stream().map(c -> new Manifest.ChunkRef(c.name(),
                c.pack(), c.offset(), Integer.MAX_VALUE, c.bytes())).toList());
        assertRefusedAndFallsBack(forged, data, "'length' is " + Integer.MAX_VALUE);
        Files.delete(dir.resolve(String.format("manifests/snapshot-%016d.json", forged)));
        forged = ForgedManifests.forgeNext(dir, chunks -> chunks.stream().map(c -> new Manifest.ChunkRef(c.name(),
                c.pack(), -1, c.length(), c.bytes())).toList());
        assertRefusedAndFallsBack(forged, data, "'offset' is -1");
    }

    @Test
    void aManifestLargerThanTheFormatAllowsIsRefusedBeforeItIsRead() throws Exception {
        byte[] data = writeOne();
        long forged = ForgedManifests.forgeHugeManifest(dir, 300L << 20);
        assertRefusedAndFallsBack(forged, data, "is " + (300L << 20) + " bytes; the format allows at most "
                + ManifestCodec.MAX_BYTES);
    }

    /** Finding 14: a chunk decoding to other than the length its manifest declares. */
    @Test
    void verifyFindsEveryDamageThatRestoreFinds() throws Exception {
        byte[] data = writeOne();
        long forged = ForgedManifests.forgeFirstChunkOneByteShort(dir);
        assertRefusedAndFallsBack(forged, data, "its manifest says");
    }

    /** Finding 16: a name of 17 digits is listed apart, reported, never restored. */
    @Test
    void aSnapshotNamedWithMoreThan16DigitsIsForeignReportedAndNeverRestored() throws Exception {
        byte[] data = writeOne();
        Manifest like = ForgedManifests.newest(dir);
        byte[] other = FileSnapshotStoreTest.state(200 << 10, 2);
        try (FileSnapshotStore store = FileSnapshotStore.openForWriting(dir)) {
            store.write(FileSnapshotStoreTest.big(2, other));
        }
        Manifest second = ForgedManifests.newest(dir);
        Files.delete(dir.resolve("manifests/snapshot-0000000000000002.json"));
        ForgedManifests.write(dir, like, 12_345_678_901_234_567L, second.roots());
        try (FileSnapshotStore store = FileSnapshotStore.openForReading(dir)) {
            assertEquals(List.of(1L), store.list().stream().map(SnapshotRef::sequence).toList());
            assertEquals(1, store.foreign().size(), store.foreign().toString());
            assertTrue(store.foreign().get(0).contains("manifests/snapshot-12345678901234567.json"),
                    store.foreign().toString());
            assertTrue(store.verify().damaged().contains(store.foreign().get(0)), store.verify().damaged().toString());
            assertArrayEquals(data, SnapshotSelector.select(store, "latest", AllowedClasses.jdk()).orElseThrow()
                    .snapshot().roots().get(0).data());
        }
    }

    /** Finding 16: the store never writes past the last 16-digit number; it says so. */
    @Test
    void theStoreRefusesToNumberPast16Digits() throws Exception {
        writeOne();
        Manifest like = ForgedManifests.newest(dir);
        ForgedManifests.write(dir, like, ManifestCodec.MAX_SEQUENCE, like.roots());
        try (FileSnapshotStore store = FileSnapshotStore.openForWriting(dir)) {
            long next = store.nextSequence();
            java.io.IOException e = assertThrows(java.io.IOException.class,
                    () -> store.write(FileSnapshotStoreTest.snapshot(next)));
            assertTrue(e.getMessage().contains("past the last sequence number a store can name"), e.getMessage());
            assertEquals(ManifestCodec.MAX_SEQUENCE, store.list().get(0).sequence());
            assertEquals(List.of(), store.foreign());
        }
    }

    /** Finding 11: a plain snapshot copied into an encrypted store. */
    @Test
    void anEncryptedStoreRefusesAPlainSnapshotUnlessToldToAcceptIt() throws Exception {
        StoreKey key = StoreKey.of(HexFormat.of().parseHex("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"));
        Path plain = dir.resolve("plain");
        Path encrypted = dir.resolve("encrypted");
        byte[] secret = FileSnapshotStoreTest.state(100 << 10, 3);
        byte[] planted = FileSnapshotStoreTest.state(100 << 10, 4);
        try (FileSnapshotStore store = FileSnapshotStore.openForWriting(encrypted, key)) {
            store.write(FileSnapshotStoreTest.big(1, secret));
        }
        try (FileSnapshotStore store = FileSnapshotStore.openForWriting(plain)) {
            store.write(FileSnapshotStoreTest.big(1, planted));
        }
        long forged = ForgedManifests.copyPlainAsNext(plain, encrypted);
        try (FileSnapshotStore store = FileSnapshotStore.openForReading(encrypted, key)) {
            assertEquals(forged, store.list().get(0).sequence());
            NotAuthenticatedException e = assertThrows(NotAuthenticatedException.class,
                    () -> store.read(store.list().get(0)));
            assertTrue(e.getMessage().contains("encryption.accept-plain=true"), e.getMessage());
            store.checkKey();
            assertFalse(store.verify().damaged().isEmpty());
            assertArrayEquals(secret, SnapshotSelector.select(store, "latest", AllowedClasses.jdk()).orElseThrow()
                    .snapshot().roots().get(0).data());
        }
        try (FileSnapshotStore store = FileSnapshotStore.openForReading(encrypted, key, true)) {
            assertArrayEquals(planted, store.read(store.list().get(0)).roots().get(0).data());
        }
        try (FileSnapshotStore store = FileSnapshotStore.openForReading(plain, key)) {
            assertInstanceOf(NotAuthenticatedException.class, assertThrows(CorruptSnapshotException.class,
                    () -> store.read(store.list().get(0))));
        }
    }
}
