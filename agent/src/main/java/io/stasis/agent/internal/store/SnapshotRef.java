package io.stasis.agent.internal.store;

/**
 * A snapshot in a store, as listed, before it is read and verified.
 *
 * @param id       what {@code restore=ID} and the command line call it
 * @param sequence its sequence number
 * @param bytes    its size in the store: as written, its chunks and manifest; as listed, only the size
 *                 of its file (the manifest, for formats 2 and 3), see {@code FileSnapshotStore.storedBytes}
 */
public record SnapshotRef(String id, long sequence, long bytes) {
}
