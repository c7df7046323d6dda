package io.stasis.agent.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.stasis.agent.internal.store.FileSnapshotStore;
import io.stasis.agent.internal.store.SnapshotRef;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What a store in a bucket must hold, read where the S3 server keeps it on disk
 * ({@link S3Server#storedAt}), while an agent may still be writing and removing there.
 */
public final class BucketChecks {

    private BucketChecks() {
    }

    /** A check that may meet the store mid-change. */
    public interface Check {
        void run() throws Exception;
    }

    /** Every snapshot on the bucket is complete: it verifies, chunk by chunk. */
    public static void assertComplete(Path onBucket) throws Exception {
        try (FileSnapshotStore store = FileSnapshotStore.openForReading(onBucket)) {
            assertFalse(store.list().isEmpty());
            assertEquals(List.of(), store.verify().damaged());
        }
    }

    /** No manifest names a chunk that is missing or does not verify: what restore needs, gaps allowed. */
    public static void assertEveryManifestReadsWhole(Path onBucket) throws Exception {
        try (FileSnapshotStore store = FileSnapshotStore.openForReading(onBucket)) {
            assertFalse(store.list().isEmpty());
            List<String> damaged = store.verify().damaged().stream()
                    .filter(d -> !d.contains(", written before it, is missing")).toList();
            assertEquals(List.of(), damaged);
        }
    }

    /** The newest snapshot's sequence on the bucket (0 for none), listed again if retention removed a file meanwhile. */
    public static long newestOn(Path onBucket) throws Exception {
        for (int attempt = 0; ; attempt++) {
            try (FileSnapshotStore store = FileSnapshotStore.openForReading(onBucket)) {
                return store.list().stream().mapToLong(SnapshotRef::sequence).max().orElse(0);
            } catch (NoSuchFileException e) {
                if (attempt == 20) {
                    throw e;
                }
                Thread.sleep(50);
            }
        }
    }

    /**
     * {@code check} passes within 10 s: the server's directory is read while an agent writes and
     * retention removes in it (a file listed may be gone when looked at).
     */
    public static void eventually(Check check) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            try {
                check.run();
                return;
            } catch (AssertionError | java.io.IOException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }
}
