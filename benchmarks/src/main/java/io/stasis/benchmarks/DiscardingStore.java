package io.stasis.benchmarks;

import io.stasis.agent.internal.store.Snapshot;
import io.stasis.agent.internal.store.SnapshotRef;
import io.stasis.agent.internal.store.SnapshotStore;
import java.io.IOException;
import java.util.List;

/** A store that accepts every snapshot and keeps nothing: no I/O in the measurement. */
final class DiscardingStore implements SnapshotStore {

    private long sequence = 1;
    private volatile long lastDataBytes;

    @Override
    public long nextSequence() {
        return sequence;
    }

    @Override
    public SnapshotRef write(Snapshot snapshot) {
        sequence = snapshot.sequence() + 1;
        lastDataBytes = snapshot.dataBytes();
        return new SnapshotRef(String.format("%016d", snapshot.sequence()), snapshot.sequence(), lastDataBytes);
    }

    long lastDataBytes() {
        return lastDataBytes;
    }

    @Override
    public List<SnapshotRef> list() {
        return List.of();
    }

    @Override
    public Snapshot read(SnapshotRef ref) throws IOException {
        throw new IOException("the benchmark store keeps nothing");
    }

    @Override
    public void retain(int keep) {
    }

    @Override
    public void close() {
    }
}
