package io.stasis.bootstrap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class QuiesceGateTest {

    private static final long LONG = TimeUnit.SECONDS.toNanos(30);

    @AfterEach
    void openGate() {
        QuiesceGate.open();
        QuiesceGate.setWaitListener(null);
    }

    /** Records what the gate tells it, per thread. */
    private static final class Waits implements QuiesceGate.WaitListener {
        final List<String> told = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public Object waiting() {
            told.add("waiting " + Thread.currentThread().getName());
            return Thread.currentThread().getName();
        }

        @Override
        public void resumed(Object token) {
            told.add("resumed " + token);
        }
    }

    @Test
    void theWaitListenerHearsOnlyOfThreadsThatWaitAtAClosedGate() throws Exception {
        Waits waits = new Waits();
        QuiesceGate.setWaitListener(waits);
        for (int i = 0; i < 1000; i++) {
            QuiesceGate.exit(QuiesceGate.enter());
        }
        assertEquals(List.of(), waits.told, "an open gate costs nothing more");

        QuiesceGate.close();
        CountDownLatch started = new CountDownLatch(1);
        Thread worker = new Thread(() -> {
            started.countDown();
            QuiesceGate.Unit unit = QuiesceGate.enter();
            QuiesceGate.exit(QuiesceGate.enter()); // nested: no second wait
            QuiesceGate.exit(unit);
        }, "held");
        worker.start();
        started.await();
        assertEquals(List.of(), QuiesceGate.awaitDrained(LONG));
        long deadline = System.nanoTime() + LONG;
        while (waits.told.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertEquals(List.of("waiting held"), waits.told);
        QuiesceGate.open();
        worker.join(TimeUnit.NANOSECONDS.toMillis(LONG));
        assertEquals(List.of("waiting held", "resumed held"), waits.told);
    }

    @Test
    void aNullTokenIsNotResumed() throws Exception {
        List<String> told = new java.util.concurrent.CopyOnWriteArrayList<>();
        QuiesceGate.setWaitListener(new QuiesceGate.WaitListener() {
            @Override
            public Object waiting() {
                told.add("waiting");
                return null;
            }

            @Override
            public void resumed(Object token) {
                told.add("resumed");
            }
        });
        QuiesceGate.close();
        Thread worker = new Thread(() -> QuiesceGate.exit(QuiesceGate.enter()), "held");
        worker.start();
        long deadline = System.nanoTime() + LONG;
        while (told.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        QuiesceGate.open();
        worker.join(TimeUnit.NANOSECONDS.toMillis(LONG));
        assertEquals(List.of("waiting"), told);
    }

    @Test
    void nestedUnitsOnOneThreadCountAsOne() {
        QuiesceGate.Unit outer = QuiesceGate.enter();
        QuiesceGate.Unit inner = QuiesceGate.enter();
        QuiesceGate.exit(inner);
        assertTrue(QuiesceGate.isInsideUnit(), "still inside the outer unit");
        QuiesceGate.exit(outer);
        assertFalse(QuiesceGate.isInsideUnit());
    }

    @Test
    void aCutCannotBeTakenFromInsideAUnit() {
        QuiesceGate.Unit unit = QuiesceGate.enter();
        try {
            IllegalStateException e = assertThrows(IllegalStateException.class, QuiesceGate::close);
            assertTrue(e.getMessage().contains("inside a unit of work"));
        } finally {
            QuiesceGate.exit(unit);
        }
    }

    @Test
    void aCutWaitsForUnitsInFlightToLeave() throws Exception {
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread worker = new Thread(() -> {
            QuiesceGate.Unit unit = QuiesceGate.enter();
            try {
                inside.countDown();
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                QuiesceGate.exit(unit);
            }
        }, "worker");
        worker.start();
        inside.await();

        QuiesceGate.close();
        List<Thread> stuck = QuiesceGate.awaitDrained(TimeUnit.MILLISECONDS.toNanos(100));
        assertEquals(List.of(worker), stuck, "the worker is still inside when the timeout passes");

        release.countDown();
        assertEquals(List.of(), QuiesceGate.awaitDrained(LONG));
        QuiesceGate.open();
        worker.join();
    }

    @Test
    void threadsEnteringWhileTheGateIsClosedWaitUntilItOpens() throws Exception {
        QuiesceGate.close();
        AtomicBoolean entered = new AtomicBoolean();
        CountDownLatch started = new CountDownLatch(1);
        Thread worker = new Thread(() -> {
            started.countDown();
            QuiesceGate.exit(QuiesceGate.enter());
            entered.set(true);
        }, "late-worker");
        worker.start();
        started.await();
        // The worker is blocked at the gate, not inside a unit: the cut sees no one inside.
        assertEquals(List.of(), QuiesceGate.awaitDrained(LONG));
        worker.join(200);
        assertFalse(entered.get(), "entered while the gate was closed");
        assertTrue(worker.isAlive());

        QuiesceGate.open();
        worker.join(TimeUnit.NANOSECONDS.toMillis(LONG));
        assertTrue(entered.get());
    }

    @Test
    void anInterruptedWaiterKeepsWaitingAndKeepsItsInterrupt() throws Exception {
        QuiesceGate.close();
        AtomicBoolean interruptedInside = new AtomicBoolean();
        Thread worker = new Thread(() -> {
            QuiesceGate.Unit unit = QuiesceGate.enter();
            interruptedInside.set(Thread.currentThread().isInterrupted());
            QuiesceGate.exit(unit);
        }, "interrupted-worker");
        worker.start();
        worker.interrupt();
        worker.join(200);
        assertTrue(worker.isAlive(), "an interrupt does not let a thread through a closed gate");
        QuiesceGate.open();
        worker.join(TimeUnit.NANOSECONDS.toMillis(LONG));
        assertTrue(interruptedInside.get(), "the interrupt is still there for the unit of work to see");
    }

    @Test
    void virtualThreadsWaitAtTheGateToo() throws Exception {
        // Virtual threads exist from JDK 21; the Java 17 build reaches them reflectively.
        assumeTrue(Runtime.version().feature() >= 21, "virtual threads need JDK 21 or later");
        java.lang.reflect.Method ofVirtual = Thread.class.getMethod("ofVirtual");
        Object builder = ofVirtual.invoke(null);
        java.lang.reflect.Method start = Class.forName("java.lang.Thread$Builder").getMethod("start", Runnable.class);
        AtomicLong entered = new AtomicLong();
        QuiesceGate.close();
        List<Thread> threads = new java.util.ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            threads.add((Thread) start.invoke(builder, (Runnable) () -> {
                QuiesceGate.Unit unit = QuiesceGate.enter();
                entered.incrementAndGet();
                QuiesceGate.exit(unit);
            }));
        }
        assertEquals(List.of(), QuiesceGate.awaitDrained(LONG));
        assertEquals(0, entered.get());
        QuiesceGate.open();
        for (Thread thread : threads) {
            thread.join();
        }
        assertEquals(1000, entered.get());
    }

    /**
     * Many threads update two counters inside units, which must be equal at every cut. The check
     * would fail without the gate: between the two increments the counters differ.
     */
    @Test
    void everyCutSeesNoUnitHalfDone() throws Exception {
        AtomicLong first = new AtomicLong();
        AtomicLong second = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        Thread[] workers = new Thread[8];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Thread(() -> {
                while (!stop.get()) {
                    QuiesceGate.Unit unit = QuiesceGate.enter();
                    try {
                        first.incrementAndGet();
                        Thread.onSpinWait();
                        second.incrementAndGet();
                    } finally {
                        QuiesceGate.exit(unit);
                    }
                }
            }, "worker-" + i);
            workers[i].start();
        }
        try {
            for (int cut = 0; cut < 500; cut++) {
                QuiesceGate.close();
                try {
                    assertEquals(List.of(), QuiesceGate.awaitDrained(LONG));
                    assertEquals(first.get(), second.get(), "cut " + cut);
                } finally {
                    QuiesceGate.open();
                }
            }
        } finally {
            stop.set(true);
            for (Thread worker : workers) {
                worker.join();
            }
        }
        assertTrue(first.get() > 0);
    }
}
