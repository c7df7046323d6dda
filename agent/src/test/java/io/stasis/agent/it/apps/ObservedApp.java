package io.stasis.agent.it.apps;

import io.stasis.api.Checkpointed;
import io.stasis.api.QuiescePoint;
import io.stasis.api.Stasis;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.LockSupport;

/**
 * What a JFR recording of Stasis should show: a checkpoint cut while a unit of work is in flight,
 * so that another thread is held at the gate; a checkpoint abandoned because a unit outlasts
 * {@code quiesce-timeout} (2 s in the test); a plain checkpoint; and, in a second run, a restore.
 */
public final class ObservedApp {

    @Checkpointed
    static List<String> entries = new ArrayList<>();

    private ObservedApp() {
    }

    @QuiescePoint
    static void unit(CountDownLatch entered, long millis) throws InterruptedException {
        entered.countDown();
        Thread.sleep(millis);
        entries.add("unit");
    }

    public static void main(String[] args) throws Exception {
        System.out.println("restored entries=" + entries.size());
        CountDownLatch inFlight = new CountDownLatch(1);
        Thread slow = new Thread(() -> run(inFlight, 2_000), "slow-unit");
        slow.start();
        inFlight.await();
        Thread cut = new Thread(() -> System.out.println("held checkpoint=" + Stasis.checkpoint("held").id()), "cutter");
        cut.start();
        // Not a fixed sleep: on a loaded machine the cut may take longer to close the gate. It has
        // closed it once it parks on the gate, waiting for the slow unit to leave.
        while (!(LockSupport.getBlocker(cut) instanceof Class<?> blocker
                && blocker.getName().equals("io.stasis.bootstrap.QuiesceGate")) && slow.isAlive()) {
            Thread.sleep(5);
        }
        Thread held = new Thread(() -> run(new CountDownLatch(1), 0), "held-at-gate");
        held.start();
        slow.join();
        cut.join();
        held.join();

        CountDownLatch stuck = new CountDownLatch(1);
        Thread longer = new Thread(() -> run(stuck, 4_000), "stuck-unit");
        longer.start();
        stuck.await();
        try {
            Stasis.checkpoint("while-stuck");
        } catch (IllegalStateException e) {
            System.out.println("abandoned: " + e.getMessage());
        }
        longer.join();
        System.out.println("plain checkpoint=" + Stasis.checkpoint("plain").id());
        System.out.println("done entries=" + entries.size());
    }

    private static void run(CountDownLatch entered, long millis) {
        try {
            unit(entered, millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
