package io.stasis.agent.internal.capture;

import com.esotericsoftware.kryo.Kryo;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Where a cut's roots are serialized: lanes, each a Kryo and a {@link CutBuffer} of its own. Each
 * root is its own graph (its identities are its own), so roots can be written on several cores at
 * once while the gate is closed. The thread that takes the checkpoint works the first lane; the
 * others run on threads of their own, made the first time a cut is written in parallel. Roots are
 * handed out in the order given, each to the next lane that is free, so the largest should come
 * first.
 *
 * <p>Not thread-safe: one per checkpointer, used under its lock.
 */
final class CutLanes {

    /** A cap on what lanes keep (a Kryo, its identity map and a buffer each), however many cores there are. */
    static final int MAX_LANES = 4;

    private static final long LANE_STACK_BYTES = 8L << 20;

    /** One lane: a Kryo and the buffer its graphs go to. */
    record Lane(Kryo kryo, CutBuffer cut) {
    }

    /** Serializes one root on the lane it is handed to. */
    interface Task {
        void writeOn(Lane lane);
    }

    private final Supplier<Kryo> kryos;
    private final int laneCount;
    private final Lane first;
    private final List<Lane> others = new ArrayList<>();
    private ExecutorService helpers;

    /**
     * @param kryos makes each lane's Kryo
     * @param lanes how many lanes at most, counting the caller's: the cores that may work a cut
     */
    CutLanes(Supplier<Kryo> kryos, int lanes) {
        this.kryos = kryos;
        this.laneCount = Math.max(1, Math.min(lanes, MAX_LANES));
        this.first = new Lane(kryos.get(), new CutBuffer());
    }

    /** The caller's lane: what a cut written in sequence uses, and what warm-ups write with. */
    Lane first() {
        return first;
    }

    /** Whether there is more than one lane to write with. */
    boolean parallel() {
        return laneCount > 1;
    }

    /**
     * Makes every lane before a cut needs it, outside the pause: a Kryo is costly to make, and each
     * writes a small graph once so that its own first cut does not register the JDK's serializers.
     */
    void prepare(Task warmUp) {
        while (others.size() < laneCount - 1) {
            Lane lane = new Lane(kryos.get(), new CutBuffer());
            warmUp.writeOn(lane);
            lane.cut().clear();
            others.add(lane);
        }
    }

    /** Starts a cut: every lane's buffer is written over. */
    void clear() {
        first.cut().clear();
        for (Lane lane : others) {
            lane.cut().clear();
        }
    }

    /**
     * Runs every task, in parallel on the lanes {@link #prepare} made (the caller's own lane
     * included) when {@code inParallel}, otherwise in order on the caller's lane. Returns once all
     * are done. A task reports its own failure; an unexpected one is rethrown here.
     *
     * @return how many lanes wrote at least one task
     */
    int write(List<? extends Task> tasks, boolean inParallel) {
        if (!inParallel || others.isEmpty() || tasks.size() < 2) {
            for (Task task : tasks) {
                task.writeOn(first);
            }
            return tasks.isEmpty() ? 0 : 1;
        }
        if (helpers == null) {
            AtomicInteger threads = new AtomicInteger();
            helpers = Executors.newFixedThreadPool(others.size(), runnable -> {
                // The stack of a main thread, whatever thread made the lane: a root that a checkpoint
                // called from main could write must not overflow here. Nothing of the caller's is
                // inherited (thread-local values, its context class loader), so no application's is kept.
                Thread thread = new Thread(null, runnable, "stasis-cut-" + threads.incrementAndGet(), LANE_STACK_BYTES,
                        false);
                thread.setContextClassLoader(CutLanes.class.getClassLoader());
                thread.setDaemon(true);
                return thread;
            });
        }
        AtomicInteger next = new AtomicInteger();
        List<Future<Integer>> working = new ArrayList<>(others.size());
        for (Lane lane : others.subList(0, Math.min(others.size(), tasks.size() - 1))) {
            working.add(helpers.submit(() -> drain(tasks, next, lane)));
        }
        int lanesUsed = 0;
        try {
            lanesUsed += drain(tasks, next, first) > 0 ? 1 : 0;
        } finally {
            for (Future<Integer> lane : working) {
                // even if the caller's lane failed: no root may be read once the cut is over
                lanesUsed += awaitLane(lane) > 0 ? 1 : 0;
            }
        }
        return lanesUsed;
    }

    /** Writes tasks on {@code lane} until none is left; returns how many it wrote. */
    private static int drain(List<? extends Task> tasks, AtomicInteger next, Lane lane) {
        int written = 0;
        for (int i = next.getAndIncrement(); i < tasks.size(); i = next.getAndIncrement()) {
            tasks.get(i).writeOn(lane);
            written++;
        }
        return written;
    }

    /** Waits for a lane's thread; the lane writes what the caller would have written, so the wait is the pause's own. */
    private static int awaitLane(Future<Integer> lane) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return lane.get();
                } catch (InterruptedException e) {
                    interrupted = true; // the roots are being read: the cut cannot end before they are
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof RuntimeException runtime) {
                        throw runtime;
                    }
                    if (cause instanceof Error error) {
                        throw error;
                    }
                    throw new IllegalStateException(cause);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
