package io.stasis.crac.image;

import io.stasis.crac.compat.CheckpointException;
import io.stasis.crac.compat.Context;
import io.stasis.crac.compat.Resource;
import io.stasis.crac.compat.RestoreException;
import java.io.IOException;
import java.time.Duration;
import java.util.OptionalLong;

/**
 * The imaged JVM's side of a CRIU image: notify the Resources, tell the dumper outside the JVM that
 * it may dump, wait, and notify the Resources again. CRIU freezes and dumps the process meanwhile;
 * the waiting thread wakes up either in the process that was imaged (left running, or the dump
 * failed) or, later, in a process restored from the image: a different process start time tells
 * which.
 */
public final class ImageCheckpoint {

    /** Which process returned from {@link #run}. */
    public enum Outcome {
        /** The image was taken and this process carried on ({@code --leave-running}). */
        LEFT_RUNNING,
        /** This process was restored from the image. */
        RESTORED
    }

    /** Starts the dumper, if something must: the command line's {@code image} is already running. */
    @FunctionalInterface
    public interface Dumper {
        void start(ImageDir dir) throws IOException;
    }

    private static final Duration POLL = Duration.ofMillis(2);
    private static final Duration LIVENESS_EVERY = Duration.ofSeconds(1);

    private ImageCheckpoint() {
    }

    /**
     * Runs one image: {@code beforeCheckpoint} on every Resource of {@code context}, the dump, then
     * {@code afterRestore} on every Resource, also when the checkpoint failed (as on a CRaC JDK).
     *
     * @param timeout how long to wait for the dumper to start CRIU before giving up
     */
    public static Outcome run(Context<Resource> context, ImageDir dir, Dumper dumper, Duration timeout)
            throws CheckpointException, RestoreException {
        ImageTrace trace = ImageTrace.start("criu", dir.path().toString());
        CheckpointException failed = null;
        Outcome outcome = null;
        try {
            context.beforeCheckpoint(context);
        } catch (CheckpointException e) {
            failed = e;
        }
        try {
            if (failed != null) {
                dir.prepared(ImageDir.FAILED + "\n" + describe(failed));
            } else {
                long start = processStart();
                long liveHeap = HeapShrink.collect();
                PerfData.moveOwn();
                dir.prepared(ImageDir.READY + "\n" + ProcessHandle.current().pid() + "\n" + liveHeap);
                dumper.start(dir);
                outcome = awaitDump(dir, start, timeout);
            }
        } catch (IOException | RuntimeException e) {
            failed = failed != null ? failed : new CheckpointException("no image was taken in " + dir);
            failed.addSuppressed(e);
        } catch (Error e) {
            // Out of memory, say: the Resources (the agent's quiesce gate among them) reopen all the same.
            try {
                context.afterRestore(context);
            } catch (RestoreException | RuntimeException also) {
                e.addSuppressed(also);
            }
            throw e;
        }
        try {
            context.afterRestore(context);
        } catch (RestoreException e) {
            if (failed == null) {
                trace.done("failed", describe(e));
                throw e;
            }
            for (Throwable cause : e.getSuppressed()) {
                failed.addSuppressed(cause);
            }
        }
        if (failed != null) {
            trace.done("failed", describe(failed));
            throw failed;
        }
        trace.done(outcome == Outcome.RESTORED ? "restored" : "left-running", "");
        return outcome;
    }

    /**
     * Waits for the dumper's outcome: at most {@code timeout} for it to claim the dump, then as long
     * as it lives, up to {@link ImageDir#DUMP_BOUND}. A dumper that dies without a result leaves the gate
     * closed no longer than the next poll.
     */
    private static Outcome awaitDump(ImageDir dir, long start, Duration timeout) throws IOException {
        long begun = System.nanoTime();
        long deadline = begun + timeout.toNanos();
        Long claimedAt = null;
        long askedAt = 0;
        boolean interrupted = false;
        try {
            while (true) {
                // The dumper writes a result only once the dump is over, and /proc is read only
                // after one is seen: a /proc file open when CRIU freezes this thread would be in
                // the image and could not be opened again on restore. A restored process finds the
                // result its dump left, and a new start time read after it.
                var result = dir.result();
                if (result.isPresent()) {
                    if (processStart() != start) {
                        return Outcome.RESTORED;
                    }
                    if (ImageDir.kind(result.get()).equals(ImageDir.DUMPED)) {
                        return Outcome.LEFT_RUNNING;
                    }
                    throw new IOException("the image failed: " + ImageDir.detail(result.get()));
                }
                if (System.nanoTime() - deadline > 0 && dir.claim("abandoned")) {
                    throw new IOException("nothing dumped this process within " + timeout.toSeconds() + " s");
                }
                OptionalLong dumper = dir.dumper();
                long now = System.nanoTime();
                if (dumper.isPresent() && claimedAt == null) {
                    claimedAt = now;
                }
                // Whether the dumper lives is read from /proc/PID/stat: a file this thread must not
                // hold open when CRIU freezes it (that PID is gone on restore, so the restore would
                // fail). CRIU freezes this process soon after the claim; ask only once the claim is
                // a second old, and then once a second.
                boolean ask = claimedAt != null && dumper.isPresent() && now - claimedAt > LIVENESS_EVERY.toNanos()
                        && now - askedAt > LIVENESS_EVERY.toNanos();
                if (ask) {
                    askedAt = now;
                }
                if (ask && !ProcessHandle.of(dumper.getAsLong()).map(ProcessHandle::isAlive).orElse(false)
                        && dir.result().isEmpty() && processStart() == start) {
                    throw new IOException("the dumper (process " + dumper.getAsLong() + ") ended without saying how the "
                            + "dump went; this process carries on without an image");
                }
                if (System.nanoTime() - begun - timeout.toNanos() - ImageDir.DUMP_BOUND.toNanos() > 0) {
                    throw new IOException("the dumper did not finish within " + (timeout.plus(ImageDir.DUMP_BOUND)).toSeconds()
                            + " s; this process carries on without an image");
                }
                try {
                    Thread.sleep(POLL.toMillis());
                } catch (InterruptedException e) {
                    // Not now: CRIU may be dumping this process, and the Resources must hear how it ended.
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** When this process started, in clock ticks since boot: a restored process is a new one. */
    public static long processStart() throws IOException {
        return HostFacts.stat("self", HostFacts.STAT_START_TIME);
    }

    /** A CheckpointException's message and each suppressed cause, one per line. */
    public static String describe(Exception e) {
        StringBuilder text = new StringBuilder(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        for (Throwable cause : e.getSuppressed()) {
            text.append("\n  ").append(cause);
        }
        return text.toString();
    }
}
