package io.stasis.agent.internal.metrics;

import io.stasis.agent.internal.Log;
import java.time.Duration;
import java.time.Instant;

/**
 * {@code max-age}: warns once when no checkpoint has succeeded for that long (since start, or since
 * the last success), and once more when one succeeds again. A daemon thread that sleeps until the
 * state could become stale, so it costs nothing in between.
 */
public final class StalenessWatch implements Runnable {

    private final CheckpointStats stats;
    private final String maxAge;

    private StalenessWatch(CheckpointStats stats, String maxAge) {
        this.stats = stats;
        this.maxAge = maxAge;
    }

    /** Starts watching, if {@code max-age} is set. */
    public static void start(CheckpointStats stats, Duration maxAge) {
        if (maxAge == null) {
            return;
        }
        String text = maxAge.toMillis() % 1000 == 0 ? maxAge.toSeconds() + "s" : maxAge.toMillis() + "ms";
        Thread thread = new Thread(new StalenessWatch(stats, text), "stasis-max-age");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void run() {
        long warnedFor = -1; // the last success (0: none) whose staleness was reported
        try {
            while (true) {
                long now = System.currentTimeMillis();
                long lastSuccess = stats.lastSuccessEpochMillis();
                if (warnedFor >= 0 && lastSuccess != warnedFor) {
                    Log.info("a checkpoint succeeded again (max-age=" + maxAge + "): the state is no longer stale");
                    warnedFor = -1;
                }
                long staleAt = stats.staleAtEpochMillis();
                if (now <= staleAt) {
                    Thread.sleep(Math.max(1, staleAt - now + 1));
                    continue;
                }
                if (warnedFor < 0) {
                    warnedFor = lastSuccess;
                    Log.warn(message(lastSuccess));
                }
                Thread.sleep(Math.min(stats.maxAgeMillis(), 1000));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private String message(long lastSuccess) {
        String failure = stats.lastFailure().isEmpty() ? "" : "; the last failure: " + stats.lastFailure();
        return "no checkpoint has succeeded for " + maxAge + " (max-age=" + maxAge + "), "
                + (lastSuccess == 0 ? "none since start-up" : "the last at " + Instant.ofEpochMilli(lastSuccess))
                + failure + "; 'status' reports this JVM stale until one succeeds";
    }
}
