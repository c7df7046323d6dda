package io.stasis.agent.internal.metrics;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a snapshot store did in this JVM: the bytes and publish time of its latest write, and the
 * snapshots it found damaged or not authenticated when it read them (each counted once).
 */
public final class StoreStats {

    private volatile long lastStoredBytes;
    private volatile long lastPublishNanos;
    private final Set<Long> failedVerification = ConcurrentHashMap.newKeySet();

    /**
     * @param newBytes     what the write added to the store: new chunks and the manifest
     * @param publishNanos writing and syncing the manifest, which makes the snapshot exist
     */
    public void written(long newBytes, long publishNanos) {
        lastStoredBytes = newBytes;
        lastPublishNanos = publishNanos;
    }

    /** Snapshot {@code sequence} did not verify when read. */
    public void verificationFailed(long sequence) {
        failedVerification.add(sequence);
    }

    public long lastStoredBytes() {
        return lastStoredBytes;
    }

    public long lastPublishNanos() {
        return lastPublishNanos;
    }

    public long verificationFailures() {
        return failedVerification.size();
    }
}
