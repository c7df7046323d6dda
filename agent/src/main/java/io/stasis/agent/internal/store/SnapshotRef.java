package io.stasis.agent.internal.store;

/**
 * A snapshot in a store, as listed, before it is read and verified.
 *
 * @param id       what {@code restore=ID} and the command line call it
 * @param sequence its sequence number
 * @param bytes    its size in the store
 */
public record SnapshotRef(String id, long sequence, long bytes) {
}
