package io.stasis.api;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What was restored when the application started.
 *
 * <p>Restore is lazy: each root (a class's static state or one keyed instance) is applied when its
 * owner class is initialized or its owner instance is constructed. {@link #restored()} and
 * {@link #pending()} therefore change as the application runs; {@link #skipped()} names roots that
 * could not be applied and why.
 *
 * @param source     where the state came from
 * @param snapshotId id of the snapshot, or {@code null} when nothing was restored
 * @param sequence   sequence number of the snapshot, or {@code -1}
 * @param time       when the snapshot was taken, or {@code null}
 * @param restored   roots applied so far, such as {@code com.acme.Ledger} or {@code com.acme.Account[42]}
 * @param pending    roots in the snapshot whose owner has not appeared yet
 * @param skipped    roots that could not be applied, with the reason
 * @param message    one line that says the same, as the agent logged it
 */
public record RestoreInfo(Source source, String snapshotId, long sequence, Instant time,
                          List<String> restored, List<String> pending, Map<String, String> skipped,
                          String message) {

    /** Where restored state came from. */
    public enum Source {
        /** Nothing was restored: no agent, {@code restore=none}, or no snapshot in the store. */
        NONE,
        /** Heap state from a snapshot in the store. */
        SNAPSHOT,
        /** A full-process image. */
        IMAGE
    }

    public RestoreInfo {
        restored = List.copyOf(restored);
        pending = List.copyOf(pending);
        skipped = Map.copyOf(skipped);
    }

    /** Nothing restored, for the reason given. */
    public static RestoreInfo none(String message) {
        return new RestoreInfo(Source.NONE, null, -1, null, List.of(), List.of(), Map.of(), message);
    }
}
