package io.stasis.agent.internal.store;

import java.time.Instant;
import java.util.List;

/**
 * A consistent cut of all checkpointed state.
 *
 * @param sequence   increases with every snapshot written to a store
 * @param time       when the cut was taken
 * @param reason     why ({@code interval}, {@code exit}, or the application's reason)
 * @param pauseNanos how long units of work were held back
 * @param roots      the state
 * @param classes    the classes the roots' data names, sorted (empty when not known, as in format 1)
 * @param authenticated read from a store whose key authenticated all of it (its manifest's MAC and
 *                   every chunk's name), so written by a holder of the key, not crafted
 */
public record Snapshot(long sequence, Instant time, String reason, long pauseNanos, List<Root> roots,
                       List<String> classes, boolean authenticated) {
    public Snapshot {
        roots = List.copyOf(roots);
        classes = List.copyOf(classes);
    }

    /** A snapshot to write, or one read without a key. */
    public Snapshot(long sequence, Instant time, String reason, long pauseNanos, List<Root> roots,
                    List<String> classes) {
        this(sequence, time, reason, pauseNanos, roots, classes, false);
    }

    public Snapshot(long sequence, Instant time, String reason, long pauseNanos, List<Root> roots) {
        this(sequence, time, reason, pauseNanos, roots, List.of());
    }

    public long dataBytes() {
        return roots.stream().mapToLong(r -> r.data().length).sum();
    }
}
