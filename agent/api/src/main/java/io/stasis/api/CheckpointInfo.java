package io.stasis.api;

import java.time.Duration;
import java.time.Instant;

/**
 * A snapshot that has been committed to durable storage.
 *
 * @param id       the snapshot's id in the store ({@code restore=ID} selects it)
 * @param sequence the snapshot's sequence number; later snapshots have larger numbers
 * @param bytes    bytes written to storage for this snapshot
 * @param pause    how long units of work were held back while the state was captured
 * @param reason   why it was taken ({@code interval}, {@code exit}, or the caller's reason)
 * @param time     when the consistent cut was taken
 */
public record CheckpointInfo(String id, long sequence, long bytes, Duration pause, String reason, Instant time) {
}
