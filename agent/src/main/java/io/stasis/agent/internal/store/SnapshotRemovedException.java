package io.stasis.agent.internal.store;

/**
 * A snapshot that was listed and is gone when it is read: retention in a live writer removed it
 * meanwhile. Restore moves on to the previous snapshot as for damage; a listing leaves it out,
 * since nothing is wrong with the store.
 */
public final class SnapshotRemovedException extends CorruptSnapshotException {
    private static final long serialVersionUID = 1L;

    SnapshotRemovedException(String message) {
        super(message);
    }
}
