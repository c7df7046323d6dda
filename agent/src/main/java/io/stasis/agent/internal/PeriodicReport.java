package io.stasis.agent.internal;

import io.stasis.agent.internal.capture.Checkpointer;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * What periodic checkpoints say, without saying it every interval: that nothing changed (at most
 * once a minute), that they fall behind a fixed interval (once), and the same failure again (once,
 * then at most once a minute with how often it recurred). Used by the one scheduler thread.
 */
final class PeriodicReport {

    /** The least time between two lines that say the same. */
    private static final long QUIET_NANOS = TimeUnit.MINUTES.toNanos(1);

    private long unchangedSaidAt;
    private boolean unchangedSaid;
    private boolean wasBehind;
    private boolean behindSaid;
    private String repeatedFailure;
    private long repeatedSince;
    private int repeats;

    /** A periodic checkpoint that found the state as the last snapshot holds it. */
    void unchanged(Checkpointer.Committed committed) {
        long now = System.nanoTime();
        if (!unchangedSaid || now - unchangedSaidAt > QUIET_NANOS) {
            unchangedSaid = true;
            unchangedSaidAt = now;
            Log.info("nothing changed since checkpoint " + committed.ref().id() + ": not written again (said at most "
                    + "once a minute)");
        }
        repeatedFailure = null;
    }

    /**
     * A periodic checkpoint that succeeded and took {@code tookNanos}: those that take longer than
     * the interval stretch the period. Said after two in a row, since the first of a JVM also loads
     * and compiles the writing code.
     */
    void succeeded(Checkpointer.Committed committed, long tookNanos, Duration fixedInterval) {
        repeatedFailure = null;
        if (fixedInterval == null) {
            return;
        }
        long interval = fixedInterval.toNanos();
        boolean behind = tookNanos > interval;
        boolean twice = behind && wasBehind;
        wasBehind = behind;
        if (twice && !behindSaid) {
            behindSaid = true;
            Log.warn(String.format(Locale.ROOT, "checkpoints fall behind interval=%dms: one took %.0f ms (pause %.0f ms), "
                    + "so they are %.0f ms apart; give a longer interval", fixedInterval.toMillis(),
                    tookNanos / 1e6, committed.pauseNanos() / 1e6, (tookNanos + interval) / 1e6));
        }
    }

    /**
     * A periodic checkpoint that failed. A unit of work that never ends fails every interval the
     * same way: the first failure is logged, the same one again at most once a minute.
     */
    void failed(String message) {
        long now = System.nanoTime();
        String line = message;
        if (message.equals(repeatedFailure)) {
            repeats++;
            if (now - repeatedSince < QUIET_NANOS) {
                return;
            }
            line += " (failed like this " + repeats + " times since it was last logged)";
        } else {
            repeatedFailure = message;
        }
        repeats = 0;
        repeatedSince = now;
        Log.error(line, null);
    }
}
