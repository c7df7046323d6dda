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
 */
public record Snapshot(long sequence, Instant time, String reason, long pauseNanos, List<Root> roots) {
    public Snapshot {
        roots = List.copyOf(roots);
    }

    public long dataBytes() {
        return roots.stream().mapToLong(r -> r.data().length).sum();
    }
}
