package io.stasis.agent.internal.metrics;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The mirror's upload lag and failures ({@code mirror=s3://…}): how long the local store has held
 * a snapshot the mirror does not, and how many upload attempts failed. Without a mirror the lag
 * is -1.
 */
public final class MirrorStats {

    private final boolean configured;
    /** When the local store first held a snapshot newer than the mirror's newest; 0 when caught up. */
    private volatile long behindSinceMillis;
    private volatile long mirroredSequence = -1;
    private final AtomicLong failures = new AtomicLong();

    private MirrorStats(boolean configured) {
        this.configured = configured;
    }

    public static MirrorStats none() {
        return new MirrorStats(false);
    }

    public static MirrorStats configured() {
        return new MirrorStats(true);
    }

    /** The oldest snapshot the mirror lacks was committed locally at {@code sinceMillis}; 0: none is lacking. */
    public void behindSince(long sinceMillis) {
        behindSinceMillis = sinceMillis;
    }

    public void uploaded(long sequence) {
        mirroredSequence = sequence;
    }

    public void failed() {
        failures.incrementAndGet();
    }

    /** How long the mirror has lacked a snapshot the local store holds, at {@code now}; 0 when caught up, -1 without a mirror. */
    public long lagMillis(long now) {
        if (!configured) {
            return -1;
        }
        long since = behindSinceMillis;
        return since == 0 ? 0 : Math.max(0, now - since);
    }

    public long failures() {
        return failures.get();
    }

    /** The newest snapshot this JVM put on the mirror; -1 if none. */
    public long mirroredSequence() {
        return mirroredSequence;
    }
}
