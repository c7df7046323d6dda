package io.stasis.bootstrap;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * The gate that units of work ({@code @QuiescePoint} methods) pass through, and that a cut closes.
 *
 * <p>Each thread owns a {@link Unit} with its nesting depth and an "inside" flag that only it
 * writes, so entering and leaving never contend across cores. Entering publishes "inside" and then
 * reads the gate; a cut closes the gate and then reads every thread's flag. Both sides use
 * sequentially consistent accesses, so either the entering thread sees the gate closed and backs
 * out, or the cut sees the thread inside and waits for it (Dekker's protocol). Threads that back
 * out park until the cut opens the gate.
 */
public final class QuiesceGate {

    private static final Set<Thread> WAITING = ConcurrentHashMap.newKeySet();
    private static final Set<Unit> UNITS = ConcurrentHashMap.newKeySet();
    private static final ReferenceQueue<Thread> DEAD_THREADS = new ReferenceQueue<>();
    private static final ThreadLocal<Unit> CURRENT = new ThreadLocal<>() {
        @Override
        protected Unit initialValue() { // not withInitial: no lambda to spin before main
            return Unit.register();
        }
    };

    private static final VarHandle INSIDE;

    static {
        try {
            INSIDE = MethodHandles.lookup().findVarHandle(Unit.class, "inside", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static volatile boolean closed;
    private static volatile Thread cutter;
    private static volatile WaitListener waitListener;

    /**
     * Told when a thread starts and stops waiting at a closed gate: the slow path only, so entering
     * an open gate costs nothing more. Implementations must not throw.
     */
    public interface WaitListener {
        /** The calling thread is about to wait; returns what {@link #resumed} is given, or {@code null} for nothing. */
        Object waiting();

        /** The calling thread has stopped waiting; called only with a non-null token from {@link #waiting}. */
        void resumed(Object token);
    }

    private QuiesceGate() {
    }

    /**
     * Called on entry to a unit of work. Waits while a cut is being taken, unless nested.
     *
     * @return the calling thread's passage, to hand to {@link #exit(Unit)}
     */
    public static Unit enter() {
        Unit unit = CURRENT.get();
        if (unit.depth++ == 0) {
            unit.entries++;
            unit.inside = true;
            while (closed) {
                unit.waitForOpen();
            }
        }
        return unit;
    }

    /** Called on every exit from a unit of work, normal or by exception, with what {@link #enter()} returned. */
    public static void exit(Unit unit) {
        if (--unit.depth <= 0) {
            unit.depth = 0;
            // A release store is enough: the unit's writes happen-before a cut that reads "outside",
            // and a cut that misses the store now re-reads it within a millisecond.
            INSIDE.setRelease(unit, false);
            if (closed) {
                LockSupport.unpark(cutter);
            }
        }
    }

    /** Installs what is told about threads waiting at the gate; {@code null} for nobody. */
    public static void setWaitListener(WaitListener listener) {
        waitListener = listener;
    }

    /** Whether the calling thread is inside a unit of work. */
    public static boolean isInsideUnit() {
        return CURRENT.get().depth > 0;
    }

    /**
     * Closes the gate: threads entering a unit from now on wait. The caller must not be inside a
     * unit itself, and must call {@link #open()} afterwards.
     */
    public static void close() {
        if (isInsideUnit()) {
            throw new IllegalStateException("a cut cannot be taken from inside a unit of work: "
                    + "the thread would wait for itself");
        }
        cutter = Thread.currentThread();
        closed = true;
    }

    /**
     * Waits until no thread is inside a unit of work, or the timeout passes.
     *
     * @return the threads still inside when the timeout passed; empty when the gate drained
     */
    public static List<Thread> awaitDrained(long timeoutNanos) {
        long deadline = System.nanoTime() + timeoutNanos;
        while (true) {
            List<Thread> inside = threadsInside();
            long remaining = deadline - System.nanoTime();
            if (inside.isEmpty() || remaining <= 0) {
                return inside;
            }
            // Leaving threads unpark us; the bound only guards against a missed wake-up.
            LockSupport.parkNanos(QuiesceGate.class, Math.min(remaining, 1_000_000L));
        }
    }

    /** Opens the gate and lets waiting threads enter. */
    public static void open() {
        closed = false;
        cutter = null;
        // A waiter either was registered before this point and is unparked, or reads the gate
        // open after registering: no wake-up is lost.
        for (Thread waiting : WAITING) {
            LockSupport.unpark(waiting);
        }
    }

    /**
     * The threads inside a unit of work now, each with the number of units it has entered so far:
     * a sampler that sees the same number twice knows it is the same unit, not a new one.
     */
    public static Map<Thread, Long> unitsInProgress() {
        Map<Thread, Long> inside = new HashMap<>();
        for (Unit unit : UNITS) {
            if (unit.inside) {
                long entries = unit.entries; // written before the volatile store of inside
                Thread thread = unit.get();
                if (thread != null) {
                    inside.put(thread, entries);
                }
            }
        }
        return inside;
    }

    private static List<Thread> threadsInside() {
        List<Thread> inside = new ArrayList<>();
        for (Unit unit : UNITS) {
            if (unit.inside) {
                Thread thread = unit.get();
                if (thread != null) {
                    inside.add(thread);
                }
            }
        }
        return inside;
    }

    /** One thread's passage through the gate; owned and written by that thread only. */
    public static final class Unit extends WeakReference<Thread> {
        private int depth;
        /** Outermost units entered; written by the owning thread only, before it sets {@code inside}. */
        private long entries;
        private volatile boolean inside;

        private Unit(Thread thread) {
            super(thread, DEAD_THREADS);
        }

        private static Unit register() {
            for (Object dead; (dead = DEAD_THREADS.poll()) != null; ) {
                UNITS.remove(dead);
            }
            Unit unit = new Unit(Thread.currentThread());
            UNITS.add(unit);
            return unit;
        }

        /** Parks rather than waits on a monitor, so a virtual thread does not pin its carrier. */
        private void waitForOpen() {
            inside = false;
            LockSupport.unpark(cutter);
            WaitListener listener = waitListener;
            Object token = listener == null ? null : listener.waiting();
            Thread self = Thread.currentThread();
            boolean interrupted = false;
            WAITING.add(self);
            while (closed) {
                LockSupport.park(QuiesceGate.class);
                interrupted |= Thread.interrupted();
            }
            WAITING.remove(self);
            if (token != null) {
                listener.resumed(token);
            }
            if (interrupted) {
                self.interrupt();
            }
            inside = true;
        }
    }
}
