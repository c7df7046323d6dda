package io.stasis.agent.internal.metrics;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What was restored at start-up, for {@code io.stasis:type=Restore}. Restore is lazy (each root when
 * its owner appears), so the counts move after start-up; the restore time adds the read and
 * verification at start-up to the time spent applying each root.
 */
public final class RestoreStats {

    /** {@code snapshot}, {@code image} or {@code none}. */
    private volatile String source = "none";
    private volatile long sequence = -1;
    private volatile long ageAtRestoreMillis = -1;
    private volatile int roots;
    private final AtomicLong restoreNanos = new AtomicLong();
    private final AtomicLong restored = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();

    /**
     * A snapshot was chosen at start-up.
     *
     * @param readNanos choosing, reading and verifying it
     */
    public void fromSnapshot(long sequence, long snapshotEpochMillis, int roots, long readNanos) {
        this.sequence = sequence;
        this.ageAtRestoreMillis = Math.max(0, System.currentTimeMillis() - snapshotEpochMillis);
        this.roots = roots;
        this.restoreNanos.addAndGet(readNanos);
        this.source = "snapshot";
    }

    /** This process was restored from a full-process image taken at {@code takenEpochMillis}. */
    public void fromImage(long takenEpochMillis) {
        this.sequence = -1;
        this.ageAtRestoreMillis = Math.max(0, System.currentTimeMillis() - takenEpochMillis);
        this.roots = 0;
        this.source = "image";
    }

    /** One root was applied to its owner ({@code ok}) or refused, in {@code nanos}. */
    public void rootApplied(boolean ok, long nanos) {
        restoreNanos.addAndGet(nanos);
        (ok ? restored : refused).incrementAndGet();
    }

    public String source() {
        return source;
    }

    /** -1 unless a snapshot was restored. */
    public long sequence() {
        return sequence;
    }

    /** -1 when nothing was restored. */
    public long ageAtRestoreMillis() {
        return ageAtRestoreMillis;
    }

    public long restoreNanos() {
        return restoreNanos.get();
    }

    public long rootsRestored() {
        return restored.get();
    }

    public long rootsRefused() {
        return refused.get();
    }

    /** Roots whose owner has not appeared yet. */
    public long rootsPending() {
        return Math.max(0, roots - restored.get() - refused.get());
    }
}
