package io.stasis.agent.internal.metrics;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What this JVM's checkpoints did, for {@code io.stasis:type=Checkpoints} and {@code status}: plain
 * counters and volatile fields, so recording costs a few stores per checkpoint and nothing is
 * loaded for JMX until somebody registers or reads it. One checkpoint is recorded at a time (the
 * checkpointer serializes them); readers on other threads see each field's latest value.
 *
 * <p>A <em>retry</em> is an attempt made while the previous attempt had failed: the interval, an
 * operator or the application trying again after a failure.
 */
public final class CheckpointStats {

    private final long startEpochMillis = System.currentTimeMillis();
    private final long maxAgeMillis;
    private final AtomicLong attempts = new AtomicLong();
    private final AtomicLong successes = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();
    private volatile boolean lastFailed;
    private volatile long lastSuccessEpochMillis;
    private volatile long lastPauseNanos;
    private volatile long lastDurationNanos;
    private volatile long lastSizeBytes;
    private volatile String lastFailure = "";
    private volatile long lastFailureEpochMillis;
    private volatile long intervalMillis;
    private volatile long nextDueEpochMillis;

    /**
     * @param intervalMillis the period of automatic checkpoints, 0 when off
     * @param maxAgeMillis   the {@code max-age} option, 0 when not set
     */
    public CheckpointStats(long intervalMillis, long maxAgeMillis) {
        this.intervalMillis = intervalMillis;
        this.maxAgeMillis = maxAgeMillis;
    }

    /** A checkpoint begins. */
    public void attempted() {
        attempts.incrementAndGet();
        if (lastFailed) {
            retries.incrementAndGet();
        }
    }

    /**
     * A checkpoint is durable.
     *
     * @param cutEpochMillis when its state was cut: the age of the state starts there
     * @param durationNanos  from closing the gate until the snapshot was durable in the store
     */
    public void committed(long cutEpochMillis, long pauseNanos, long durationNanos, long sizeBytes) {
        lastPauseNanos = pauseNanos;
        lastDurationNanos = durationNanos;
        lastSizeBytes = sizeBytes;
        lastSuccessEpochMillis = cutEpochMillis;
        lastFailed = false;
        successes.incrementAndGet();
    }

    /** A checkpoint did not commit; {@code message} says why, as logged. */
    public void failed(String message) {
        lastFailure = message == null ? "" : message;
        lastFailureEpochMillis = System.currentTimeMillis();
        lastFailed = true;
        failures.incrementAndGet();
    }

    /** The period of automatic checkpoints now (0: off); for an interval that changes as it goes. */
    public void setIntervalMillis(long intervalMillis) {
        this.intervalMillis = intervalMillis;
    }

    /** When the next automatic checkpoint is due (0: none is scheduled). */
    public void setNextDueEpochMillis(long epochMillis) {
        this.nextDueEpochMillis = epochMillis;
    }

    public long attempts() {
        return attempts.get();
    }

    public long successes() {
        return successes.get();
    }

    public long failures() {
        return failures.get();
    }

    public long retries() {
        return retries.get();
    }

    /** 0 while none has succeeded. */
    public long lastSuccessEpochMillis() {
        return lastSuccessEpochMillis;
    }

    /** -1 while none has succeeded. */
    public long lastSuccessAgeMillis(long nowEpochMillis) {
        long last = lastSuccessEpochMillis;
        return last == 0 ? -1 : Math.max(0, nowEpochMillis - last);
    }

    public long lastPauseNanos() {
        return lastPauseNanos;
    }

    public long lastDurationNanos() {
        return lastDurationNanos;
    }

    public long lastSizeBytes() {
        return lastSizeBytes;
    }

    /** The message of the latest failure, empty if none failed; it stays after later successes. */
    public String lastFailure() {
        return lastFailure;
    }

    /** 0 if none failed. */
    public long lastFailureEpochMillis() {
        return lastFailureEpochMillis;
    }

    /** {@code none}, {@code success} or {@code failure}: how the latest checkpoint ended. */
    public String lastOutcome() {
        return lastFailed ? "failure" : successes.get() > 0 ? "success" : "none";
    }

    public long intervalMillis() {
        return intervalMillis;
    }

    public long nextDueEpochMillis() {
        return nextDueEpochMillis;
    }

    public long maxAgeMillis() {
        return maxAgeMillis;
    }

    /** When the state becomes stale unless a checkpoint succeeds first; {@code Long.MAX_VALUE} without max-age. */
    public long staleAtEpochMillis() {
        if (maxAgeMillis <= 0) {
            return Long.MAX_VALUE;
        }
        long last = lastSuccessEpochMillis;
        return (last == 0 ? startEpochMillis : last) + maxAgeMillis;
    }

    /** With {@code max-age}: no checkpoint has succeeded for that long, since the last success or since start. */
    public boolean stale(long nowEpochMillis) {
        return nowEpochMillis > staleAtEpochMillis();
    }
}
