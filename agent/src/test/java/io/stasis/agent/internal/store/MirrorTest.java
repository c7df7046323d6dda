package io.stasis.agent.internal.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stasis.agent.internal.metrics.MirrorStats;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mirror=}: {@link MirrorCopy}, the {@link Mirror}'s thread and {@link MirroredStore}, with a directory as the mirror. */
class MirrorTest {

    @TempDir
    Path dir;

    private Path local() {
        return dir.resolve("local");
    }

    private Path remote() {
        return dir.resolve("mirror");
    }

    @Test
    void theManifestIsPublishedAfterEveryPackItNamesAndNeverIfAPackFails() throws Exception {
        FaultyBlobs to = new FaultyBlobs(remote());
        try (FileSnapshotStore local = FileSnapshotStore.openForWriting(local());
             FileSnapshotStore mirror = FileSnapshotStore.openForWriting(to, null, false)) {
            local.write(FileSnapshotStoreTest.big(1, FileSnapshotStoreTest.state(300_000, 1)));
            byte[] second = FileSnapshotStoreTest.state(300_000, 2);
            System.arraycopy(FileSnapshotStoreTest.state(150_000, 1), 0, second, 0, 150_000); // shares chunks with 1
            local.write(FileSnapshotStoreTest.big(2, second));

            to.refuse = name -> name.equals("packs/pack-0000000000000001.pack");
            assertThrows(IOException.class, () -> MirrorCopy.copy(local, mirror, 2));
            assertFalse(Files.exists(remote().resolve("manifests/snapshot-0000000000000002.json")),
                    "no manifest without its packs");
            assertEquals(List.of(), mirror.list());

            to.refuse = name -> false;
            assertTrue(MirrorCopy.copy(local, mirror, 2));
            assertEquals("manifests/snapshot-0000000000000002.json", to.published.get(to.published.size() - 1),
                    "the manifest last: " + to.published);
            assertTrue(to.published.contains("packs/pack-0000000000000001.pack"), "the older pack it shares: "
                    + to.published);
            assertFalse(MirrorCopy.copy(local, mirror, 2), "sent once");
            assertArrayEquals(local.read(local.list().get(0)).roots().get(0).data(),
                    mirror.read(mirror.list().get(0)).roots().get(0).data());
            assertEquals(List.of(), mirror.verify().damaged());
        }
    }

    @Test
    void anUnreachableMirrorLagsCountsFailuresAndCatchesUpWithRetentionWhenBack() throws Exception {
        FaultyBlobs to = new FaultyBlobs(remote());
        to.down = true;
        MirrorStats stats = MirrorStats.configured();
        try (FileSnapshotStore local = FileSnapshotStore.openForWriting(local())) {
            Mirror mirror = new Mirror(local, "test-mirror", () -> to, null, false, 2, stats);
            mirror.start();
            try {
                MirroredStore store = new MirroredStore(local, null, mirror, "test-mirror");
                assertEquals(0, stats.lagMillis(System.currentTimeMillis()));
                for (long sequence = 1; sequence <= 4; sequence++) {
                    long start = System.nanoTime();
                    store.write(FileSnapshotStoreTest.snapshot(sequence));
                    assertTrue(System.nanoTime() - start < Duration.ofSeconds(2).toNanos(), "never waits for the mirror");
                }
                assertFalse(mirror.awaitCaughtUp(Duration.ofMillis(1500)));
                assertTrue(stats.failures() > 0);
                assertTrue(stats.lagMillis(System.currentTimeMillis()) >= 1000, "lagging");

                to.down = false;
                assertTrue(mirror.awaitCaughtUp(Duration.ofSeconds(10)), "caught up once the mirror is back");
                assertEquals(0, stats.lagMillis(System.currentTimeMillis()));
                store.write(FileSnapshotStoreTest.snapshot(5));
                store.write(FileSnapshotStoreTest.snapshot(6));
                assertTrue(mirror.awaitCaughtUp(Duration.ofSeconds(10)));
                try (FileSnapshotStore copy = FileSnapshotStore.openForReading(remote())) {
                    long newest = copy.list().get(0).sequence();
                    assertEquals(6, newest);
                    assertTrue(copy.list().size() <= 2, "keep=2 on the mirror too: " + copy.list());
                    assertEquals(List.of(), copy.verify().damaged());
                }
            } finally {
                mirror.close();
            }
        }
    }

    @Test
    void anEncryptedStoreIsMirroredAsItIsAndRetainedThereWithItsKey() throws Exception {
        StoreKey key = StoreKey.of(java.util.HexFormat.of().parseHex(
                "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"));
        MirrorStats stats = MirrorStats.configured();
        try (FileSnapshotStore local = FileSnapshotStore.openForWriting(local(), key)) {
            Mirror mirror = new Mirror(local, "test-mirror", () -> new FaultyBlobs(remote()), key, false, 2, stats);
            mirror.start();
            try {
                MirroredStore store = new MirroredStore(local, null, mirror, "test-mirror");
                for (long sequence = 1; sequence <= 4; sequence++) {
                    store.write(FileSnapshotStoreTest.snapshot(sequence));
                    assertTrue(mirror.awaitCaughtUp(Duration.ofSeconds(10)));
                }
            } finally {
                mirror.close();
            }
        }
        assertEquals(0, stats.failures());
        try (FileSnapshotStore copy = FileSnapshotStore.openForReading(remote(), key)) {
            assertEquals(List.of(4L, 3L), copy.list().stream().map(SnapshotRef::sequence).toList(), "keep=2");
            assertEquals(List.of(), copy.verify().damaged());
            assertEquals(FileSnapshotStoreTest.snapshot(4).roots().get(0).data()[3],
                    copy.read(copy.list().get(0)).roots().get(0).data()[3]);
        }
        try (FileSnapshotStore keyless = FileSnapshotStore.openForReading(remote(), null)) {
            assertThrows(WrongKeyException.class, () -> keyless.read(keyless.list().get(0)));
        }
    }

    @Test
    void anEmptyOrDamagedLocalStoreRestoresFromTheMirrorAndNumbersAfterIt() throws Exception {
        try (FileSnapshotStore mirror = FileSnapshotStore.openForWriting(remote())) {
            for (long sequence = 1; sequence <= 3; sequence++) {
                mirror.write(FileSnapshotStoreTest.snapshot(sequence));
            }
        }
        try (FileSnapshotStore local = FileSnapshotStore.openForWriting(local());
             FileSnapshotStore remote = FileSnapshotStore.openForReading(remote())) {
            MirroredStore store = new MirroredStore(local, remote, null, "test-mirror");
            List<SnapshotRef> refs = store.list();
            assertEquals(3, refs.get(0).sequence());
            assertEquals(FileSnapshotStoreTest.snapshot(3).roots().get(0).data()[3],
                    store.read(refs.get(0)).roots().get(0).data()[3]);
            assertEquals(4, store.nextSequence(), "after the mirror's, not the empty local store's");
        }

        // A local copy of snapshot 3 that does not verify: the mirror's is read.
        try (FileSnapshotStore local = FileSnapshotStore.openForWriting(local())) {
            local.write(FileSnapshotStoreTest.snapshot(3));
        }
        try (Stream<Path> packs = Files.list(local().resolve("packs"))) {
            for (Path pack : packs.toList()) {
                byte[] bytes = Files.readAllBytes(pack);
                bytes[bytes.length / 2] ^= 0x55;
                Files.write(pack, bytes);
            }
        }
        try (FileSnapshotStore local = FileSnapshotStore.openForWriting(local());
             FileSnapshotStore remote = FileSnapshotStore.openForReading(remote())) {
            MirroredStore store = new MirroredStore(local, remote, null, "test-mirror");
            SnapshotRef newest = store.list().get(0);
            assertThrows(CorruptSnapshotException.class, () -> local.read(local.list().get(0)));
            assertEquals(3, store.read(newest).sequence());
        }
    }
}
