package io.stasis.bootstrap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The gate's protocol under load. Many threads (more than there are CPUs)
 * enter and leave units that write only their own counters, again with no fence, while cuts are
 * taken back to back; every cut that has drained must find no unit begun and not finished, and
 * none beginning while it holds the gate.
 */
class QuiesceGateStressTest {

    private static final int THREADS = 16;
    private static final int CUTS = 500;
    private static final long LONG = TimeUnit.SECONDS.toNanos(30);

    /** One thread's units: {@code begun} and {@code finished} differ only while it is inside one. */
    private static final class Worker extends Thread {
        private static final VarHandle BEGUN;
        private static final VarHandle FINISHED;

        static {
            try {
                MethodHandles.Lookup lookup = MethodHandles.lookup();
                BEGUN = lookup.findVarHandle(Worker.class, "begun", long.class);
                FINISHED = lookup.findVarHandle(Worker.class, "finished", long.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private long begun;
        private long finished;
        private volatile boolean stop;

        Worker(int i) {
            super("stress-" + i);
            setDaemon(true);
        }

        @Override
        public void run() {
            long units = 0;
            while (!stop) {
                QuiesceGate.Unit unit = QuiesceGate.enter();
                try {
                    units++;
                    // Opaque: written in this order, and not merged or dropped by the JIT, but no fence.
                    BEGUN.setOpaque(this, units);
                    for (int spin = (int) (units & 7); spin > 0; spin--) {
                        Thread.onSpinWait();
                    }
                    FINISHED.setOpaque(this, units);
                } finally {
                    QuiesceGate.exit(unit);
                }
            }
        }

        long begun() {
            return (long) BEGUN.getOpaque(this);
        }

        long finished() {
            return (long) FINISHED.getOpaque(this);
        }
    }

    @Test
    void noCutSeesAUnitThatTheGateCountsAsOutside() throws Exception {
        List<Worker> workers = new ArrayList<>();
        for (int i = 0; i < THREADS; i++) {
            workers.add(new Worker(i));
        }
        workers.forEach(Thread::start);
        List<String> torn = new ArrayList<>();
        long unitsBefore = 0;
        try {
            for (int cut = 0; cut < CUTS && torn.size() < 10; cut++) {
                QuiesceGate.close();
                try {
                    assertEquals(List.of(), QuiesceGate.awaitDrained(LONG), "cut " + cut);
                    long[] begun = new long[THREADS];
                    for (int i = 0; i < THREADS; i++) {
                        Worker worker = workers.get(i);
                        begun[i] = worker.begun();
                        if (worker.finished() != begun[i]) {
                            torn.add("cut " + cut + ": " + worker.getName() + " is inside a unit (begun " + begun[i]
                                    + ", finished " + worker.finished() + ")");
                        }
                    }
                    // A thread the cut missed would go on in its unit: give it time to show.
                    for (int spin = 0; spin < 200; spin++) {
                        Thread.onSpinWait();
                    }
                    for (int i = 0; i < THREADS; i++) {
                        if (workers.get(i).begun() != begun[i]) {
                            torn.add("cut " + cut + ": " + workers.get(i).getName() + " began a unit during the cut");
                        }
                    }
                } finally {
                    QuiesceGate.open();
                }
                if (cut == 0) {
                    unitsBefore = workers.stream().mapToLong(Worker::begun).sum();
                }
            }
        } finally {
            for (Worker worker : workers) {
                worker.stop = true;
            }
            for (Worker worker : workers) {
                worker.join(TimeUnit.NANOSECONDS.toMillis(LONG));
            }
        }
        assertEquals(List.of(), torn);
        long units = workers.stream().mapToLong(Worker::begun).sum();
        assertTrue(units - unitsBefore > CUTS, "the workers made progress between cuts: " + (units - unitsBefore) + " units");
    }
}
