package io.stasis.agent.internal.cadence;

import io.stasis.agent.internal.Log;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Periodic checkpoints on one daemon thread, each scheduled when the one before has ended, after
 * the delay its {@link Cadence} gives. Checkpoints taken by other triggers count as observations too.
 */
public final class CheckpointSchedule {

    /** One periodic checkpoint: its pause and write time, or an exception when it failed. */
    public interface Task {
        Observation run() throws Exception;
    }

    public record Observation(long pauseNanos, long writeNanos) {
    }

    /** Told each time the next checkpoint is scheduled: the interval and when it is due (0: none is). */
    public interface Pace {
        void scheduled(long intervalMillis, long nextDueEpochMillis);
    }

    /** An adaptive interval is logged again when it has moved this far from the one last logged. */
    private static final double LOGGED_CHANGE = 0.25;

    private final Cadence cadence;
    private final Task task;
    private final String budget;
    private final Pace pace;
    private ScheduledExecutorService executor;
    private long loggedPaceNanos;

    /** @param budget how {@code pause-budget} was written, for the log */
    public CheckpointSchedule(Cadence cadence, Task task, String budget, Pace pace) {
        this.cadence = cadence;
        this.task = task;
        this.budget = budget;
        this.pace = pace;
        this.loggedPaceNanos = cadence.intervalNanos();
    }

    /** The current interval in milliseconds, adaptive or fixed, without backing off. */
    public synchronized long intervalMillis() {
        return TimeUnit.NANOSECONDS.toMillis(cadence.intervalNanos());
    }

    /** Starts (again, after {@link #stop}) with the next delay from now. */
    public synchronized void start() {
        if (executor != null) {
            return;
        }
        executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "stasis-checkpoint");
            thread.setDaemon(true);
            return thread;
        });
        scheduleNext(executor);
    }

    /** Stops and waits up to {@code bound} for a checkpoint in progress; only one that outlives it is interrupted. */
    public void stop(Duration bound) {
        ScheduledExecutorService running;
        synchronized (this) {
            running = executor;
            executor = null;
        }
        if (running == null) {
            return;
        }
        pace.scheduled(intervalMillis(), 0);
        // No interrupt: one would close the store's channels under a checkpoint being written and
        // turn an orderly exit into an error.
        running.shutdown();
        try {
            if (!running.awaitTermination(bound.toMillis(), TimeUnit.MILLISECONDS)) {
                running.shutdownNow();
            }
        } catch (InterruptedException e) {
            running.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    /** A checkpoint that another trigger took: its pause and write time inform the interval. */
    public synchronized void observed(long pauseNanos, long writeNanos) {
        boolean recovering = cadence.failures() > 0;
        cadence.succeeded(pauseNanos, writeNanos);
        logPace(recovering);
    }

    private void runOnce(ScheduledExecutorService owner) {
        Observation observation = null;
        try {
            observation = task.run();
        } catch (Exception | Error e) {
            // the task has logged what failed; here it only slows the schedule down
        }
        synchronized (this) {
            if (observation != null) {
                boolean recovering = cadence.failures() > 0;
                cadence.succeeded(observation.pauseNanos(), observation.writeNanos());
                logPace(recovering);
            } else {
                cadence.failed();
                Log.warn(cadence.failures() + " periodic checkpoint(s) failed in a row: the next is tried in "
                        + millis(cadence.nextDelayNanos(0)) + " to " + millis(cadence.nextDelayNanos(1))
                        + ", then at the usual interval once one succeeds");
            }
            if (executor == owner) {
                scheduleNext(owner);
            }
        }
    }

    private void scheduleNext(ScheduledExecutorService owner) {
        long delay = cadence.nextDelayNanos(ThreadLocalRandom.current().nextDouble());
        try {
            owner.schedule(() -> runOnce(owner), delay, TimeUnit.NANOSECONDS);
            pace.scheduled(intervalMillis(), System.currentTimeMillis() + TimeUnit.NANOSECONDS.toMillis(delay));
        } catch (RejectedExecutionException stopped) {
            // stop() won the race: nothing more is due
        }
    }

    private void logPace(boolean recovering) {
        long pace = cadence.intervalNanos();
        if (recovering) {
            Log.info("periodic checkpoints succeed again: next in " + millis(pace));
        }
        if (cadence.adaptive() && Math.abs(pace - loggedPaceNanos) > loggedPaceNanos * LOGGED_CHANGE) {
            Log.info("interval=auto: interval now " + millis(pace) + " (last pause "
                    + millis(cadence.lastPauseNanos()) + ", write " + millis(cadence.lastWriteNanos())
                    + ", pause-budget=" + budget + ")");
            loggedPaceNanos = pace;
        }
    }

    private static String millis(long nanos) {
        return Log.millis(nanos, 1) + " ms";
    }
}
