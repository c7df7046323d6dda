package io.stasis.agent.internal.store;

import java.io.IOException;
import java.util.List;

/**
 * Where snapshots live. Capture and restore talk only to this interface, so that other backends
 * (object storage) can be added without touching them.
 */
public interface SnapshotStore extends AutoCloseable {

    /** The sequence number the next snapshot should carry. */
    long nextSequence() throws IOException;

    /** Writes the snapshot durably; when this returns, a crash cannot lose or tear it. */
    SnapshotRef write(Snapshot snapshot) throws IOException;

    /** Snapshots present, newest first. */
    List<SnapshotRef> list() throws IOException;

    /**
     * Files that look like snapshots but that the store never reads (foreign names), each
     * described in one line that names it; restore reports them, never restores them.
     */
    default List<String> foreign() throws IOException {
        return List.of();
    }

    /** Reads and verifies one snapshot; a damaged one is a {@link CorruptSnapshotException}. */
    Snapshot read(SnapshotRef ref) throws IOException;

    /**
     * Deletes one snapshot, which must never be restored (its group's epoch was aborted); what other
     * snapshots need stays. Only stores that a group's member writes to support it.
     */
    default void discard(SnapshotRef ref) throws IOException {
        throw new UnsupportedOperationException("this store cannot discard a snapshot");
    }

    /** Deletes all but the newest {@code keep} snapshots. */
    void retain(int keep) throws IOException;

    /**
     * Lets go of whatever the writer holds outside the heap (locks, open files) until
     * {@link #resumeWriting}, for a full-process image. Nothing, for a store that holds nothing.
     */
    default void suspendWriting() throws IOException {
    }

    /** Takes back what {@link #suspendWriting} let go of; fails if another writer took it meanwhile. */
    default void resumeWriting() throws IOException {
    }

    /**
     * After the last checkpoint of this JVM: lets another writer take over at once rather than
     * after a lease lapses (object storage). Nothing, for a store with a lock the OS releases.
     */
    default void releaseWriter() throws IOException {
    }

    @Override
    void close() throws IOException;
}
