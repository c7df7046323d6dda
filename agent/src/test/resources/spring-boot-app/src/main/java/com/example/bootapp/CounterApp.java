package com.example.bootapp;

import io.stasis.api.CheckpointInfo;
import io.stasis.api.CheckpointKey;
import io.stasis.api.Checkpointed;
import io.stasis.api.QuiescePoint;
import io.stasis.api.RestoreInfo;
import io.stasis.api.Stasis;
import java.util.concurrent.TimeUnit;

/**
 * A counter workload packaged as a Spring Boot executable jar: one worker thread (main) does units
 * of work, each of which advances {@link #progress} and one of two keyed counters, so
 * {@code even.count + odd.count == progress} in every consistent state, and every thousandth unit
 * records a {@link Milestone}. Every so often it takes a checkpoint itself and prints the progress
 * that snapshot holds.
 *
 * <p>Argument: how long to run at most, in seconds (default 120), so it never outlives a test.
 */
public final class CounterApp {

    /** Units of work completed, over every run. */
    @Checkpointed
    static long progress;

    /** The last round thousand reached: an object of an application class, restored with Spring Boot's loader. */
    @Checkpointed
    static Milestone milestone;

    record Milestone(long progress, String note) {
    }

    /** State of one instance, told apart across runs by its key. */
    static final class Counter {
        @CheckpointKey
        private final String id;

        @Checkpointed
        long count;

        Counter(String id) {
            this.id = id;
        }
    }

    private static final long CHECKPOINT_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(150);
    private static final long REPORT_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    private CounterApp() {
    }

    public static void main(String[] args) throws InterruptedException {
        long maxSeconds = args.length > 0 ? Long.parseLong(args[0]) : 120;
        System.out.println("main class loader: " + CounterApp.class.getClassLoader().getClass().getName());
        System.out.println("api class loader: " + Stasis.class.getClassLoader().getClass().getName());

        Counter[] counters = {new Counter("even"), new Counter("odd")};

        RestoreInfo restore = Stasis.lastRestore();
        System.out.println("restore source=" + restore.source() + " sequence=" + restore.sequence());
        System.out.println("restore message: " + restore.message());
        restore.restored().forEach(root -> System.out.println("restored root: " + root));
        restore.pending().forEach(root -> System.out.println("pending root: " + root));
        restore.skipped().forEach((root, why) -> System.out.println("skipped root: " + root + " (" + why + ")"));
        System.out.println("start progress=" + progress + " even=" + counters[0].count + " odd=" + counters[1].count
                + " milestone=" + (milestone == null ? "none" : milestone.progress() + " loaded by "
                + milestone.getClass().getClassLoader().getClass().getName()));

        long now = System.nanoTime();
        long deadline = now + TimeUnit.SECONDS.toNanos(maxSeconds);
        long nextCheckpoint = now + CHECKPOINT_EVERY_NANOS;
        long nextReport = now + REPORT_EVERY_NANOS;
        while ((now = System.nanoTime()) < deadline) {
            for (int i = 0; i < 200; i++) {
                work(counters);
            }
            Thread.sleep(1);
            if (now >= nextCheckpoint) {
                nextCheckpoint = now + CHECKPOINT_EVERY_NANOS;
                checkpoint();
            }
            if (now >= nextReport) {
                nextReport = now + REPORT_EVERY_NANOS;
                System.out.println("progress=" + progress + " even=" + counters[0].count + " odd=" + counters[1].count);
            }
        }
        System.out.println("done progress=" + progress);
    }

    /** One unit of work; a snapshot is never cut in the middle of one. */
    @QuiescePoint
    static void work(Counter[] counters) {
        progress++;
        counters[(int) (progress & 1)].count++;
        if (progress % 1000 == 0) {
            milestone = new Milestone(progress, "reached " + progress);
        }
    }

    /**
     * Only this thread does work, and it does none while the checkpoint is taken: the snapshot
     * holds exactly the progress read before it.
     */
    private static void checkpoint() {
        long inSnapshot = progress;
        try {
            CheckpointInfo info = Stasis.checkpoint("app");
            System.out.println("committed " + info.sequence() + " progress=" + inSnapshot);
        } catch (IllegalStateException e) {
            System.out.println("checkpoint failed: " + e.getMessage());
        }
    }
}
