package io.stasis.agent.internal.cadence;

import java.time.Duration;

/**
 * When the next periodic checkpoint is due: a pure function of what was observed (pauses, write
 * times, failures) and a random number for jitter, so that it can be tested without a clock.
 *
 * <p>Adaptive ({@code interval=auto}): the interval is long enough that pauses take at most
 * {@code pause-budget} of wall time (interval &ge; pause / budget) and the store is written at
 * most a quarter of the time (interval &ge; {@value #WRITE_FACTOR} &times; write time), clamped to
 * {@code [interval.min, interval.max]}. A longer pause or write counts at once; a shorter one pulls
 * the estimate down gradually, so one quick checkpoint does not undo a slow trend. The first write
 * does not count: it also loads the store's code and reads its index, and would set the pace far
 * too slow. Fixed: the interval given.
 *
 * <p>Either way, after {@code n} failures in a row the delay is the interval times {@code 2^n},
 * capped at the ceiling, with "equal jitter" (uniform in its upper half, never below the interval)
 * so that JVMs that failed together do not retry together. One success restores the interval.
 */
public final class Cadence {

    /** Writes take at most 1/WRITE_FACTOR of wall time: checkpoints never saturate the disk. */
    static final int WRITE_FACTOR = 4;
    /** How far a shorter observation pulls an estimate down. */
    static final double DECAY = 0.3;
    /** 2^20 times any interval is past every ceiling: the doubling stops there. */
    private static final int MAX_DOUBLINGS = 20;

    private final boolean adaptive;
    private final long minNanos;
    private final long maxNanos;
    private final double pauseBudget;
    private long paceNanos;
    private double pauseEstimate = -1;
    private double writeEstimate = -1;
    private int failures;
    private boolean firstWrite = true;
    private long lastPauseNanos = -1;
    private long lastWriteNanos = -1;

    private Cadence(boolean adaptive, long minNanos, long maxNanos, double pauseBudget, long paceNanos) {
        this.adaptive = adaptive;
        this.minNanos = minNanos;
        this.maxNanos = maxNanos;
        this.pauseBudget = pauseBudget;
        this.paceNanos = paceNanos;
    }

    /** Every {@code interval}; after failures, backs off up to {@code ceiling} (at least the interval). */
    public static Cadence fixed(Duration interval, Duration ceiling) {
        long every = interval.toNanos();
        return new Cadence(false, every, Math.max(every, ceiling.toNanos()), 0, every);
    }

    /**
     * @param pauseBudget the share of wall time pauses may take, in (0, 1)
     * @param min         the interval before anything was observed, and the shortest
     * @param max         the longest interval, and the ceiling of backing off
     */
    public static Cadence adaptive(double pauseBudget, Duration min, Duration max) {
        if (!(pauseBudget > 0 && pauseBudget < 1) || min.compareTo(max) > 0) {
            throw new IllegalArgumentException("pause budget " + pauseBudget + ", min " + min + ", max " + max);
        }
        return new Cadence(true, min.toNanos(), max.toNanos(), pauseBudget, min.toNanos());
    }

    public boolean adaptive() {
        return adaptive;
    }

    /** A checkpoint succeeded with this pause and write time: the interval adapts, and backing off ends. */
    public void succeeded(long pauseNanos, long writeNanos) {
        failures = 0;
        lastPauseNanos = pauseNanos;
        lastWriteNanos = writeNanos;
        pauseEstimate = estimate(pauseEstimate, pauseNanos);
        writeEstimate = firstWrite ? 0 : estimate(writeEstimate, writeNanos);
        firstWrite = false;
        if (adaptive) {
            double wanted = Math.max(pauseEstimate / pauseBudget, writeEstimate * WRITE_FACTOR);
            paceNanos = (long) Math.min(maxNanos, Math.max(minNanos, wanted));
        }
    }

    /** A periodic checkpoint failed: the next waits longer. */
    public void failed() {
        failures++;
    }

    /** The interval at the current pace, without backing off: what {@code IntervalMillis} reports. */
    public long intervalNanos() {
        return paceNanos;
    }

    /** Periodic checkpoints that failed since the last success. */
    public int failures() {
        return failures;
    }

    /** The last observed pause and write time, or -1 before any. */
    public long lastPauseNanos() {
        return lastPauseNanos;
    }

    public long lastWriteNanos() {
        return lastWriteNanos;
    }

    /**
     * The delay until the next periodic checkpoint.
     *
     * @param random uniform in [0, 1): the jitter of a backed-off delay
     */
    public long nextDelayNanos(double random) {
        if (failures == 0) {
            return paceNanos;
        }
        long ceiling = Math.max(maxNanos, paceNanos);
        double backedOff = Math.min((double) ceiling, paceNanos * Math.pow(2, Math.min(failures, MAX_DOUBLINGS)));
        double jitter = Math.min(Math.max(random, 0), 1);
        return Math.max(paceNanos, (long) (backedOff / 2 + jitter * backedOff / 2));
    }

    private static double estimate(double current, long observed) {
        return current < 0 || observed >= current ? observed : current + (observed - current) * DECAY;
    }
}
