package io.stasis.agent.internal.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSnapshotStoreTest {

    @TempDir
    Path dir;

    private static Snapshot snapshot(long sequence) {
        return new Snapshot(sequence, Instant.ofEpochMilli(1_700_000_000_000L + sequence), "test", 1234, List.of(
                new Root(Root.Kind.STATIC, "com.acme.Ledger", null, List.of("a", "b"), new byte[] {1, 2, 3, (byte) sequence}),
                new Root(Root.Kind.INSTANCE, "com.acme.Account", "42", List.of("balance"), new byte[] {9, 8, 7})));
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
    }

    @Test
    void retainsTheNewestAndNumbersOnAfterARestart() throws Exception {
        try (FileSnapshotStore store = FileSnapshotStore.openForWriting(dir)) {
            for (long s = 1; s <= 6; s++) {
                store.write(snapshot(s));
            }
            store.retain(2);
            assertEquals(List.of(6L, 5L), store.list().stream().map(SnapshotRef::sequence).toList());
        }
        try (FileSnapshotStore store = FileSnapshotStore.openForWriting(dir)) {
            assertEquals(7, store.nextSequence());
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
        Files.write(dir.resolve(".snapshot-2.tmp"), new byte[] {1, 2, 3});
        try (FileSnapshotStore reader = FileSnapshotStore.openForReading(dir)) {
            assertEquals(1, reader.list().size(), "a temporary file is never a snapshot");
        }
        FileSnapshotStore.openForWriting(dir).close();
        try (Stream<Path> files = Files.list(dir)) {
            assertFalse(files.anyMatch(f -> f.toString().endsWith(".tmp")));
        }
    }

    /** Every single flipped bit, and every truncation, of a snapshot file is detected. */
    @Test
    void everyFlippedBitAndEveryTruncationIsDetected() throws Exception {
        Path file;
        try (FileSnapshotStore store = FileSnapshotStore.openForWriting(dir)) {
            store.write(snapshot(1));
            file = dir.resolve(FileSnapshotStore.fileName(1));
        }
        byte[] good = Files.readAllBytes(file);
        int cases = 0;
        for (int i = 0; i < good.length; i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] bad = good.clone();
                bad[i] ^= (byte) (1 << bit);
                assertThrows(CorruptSnapshotException.class, () -> SnapshotCodec.read(bad, "flipped"), "byte " + i);
                cases++;
            }
        }
        for (int length = 0; length < good.length; length++) {
            byte[] truncated = Arrays.copyOf(good, length);
            assertThrows(CorruptSnapshotException.class, () -> SnapshotCodec.read(truncated, "truncated"));
            cases++;
        }
        assertTrue(cases > 1000, cases + " cases");
    }
}
