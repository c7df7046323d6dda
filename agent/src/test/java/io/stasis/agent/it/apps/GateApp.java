package io.stasis.agent.it.apps;

import io.stasis.api.Checkpointed;
import io.stasis.api.QuiescePoint;
import io.stasis.api.Stasis;
import java.util.concurrent.CountDownLatch;

/**
 * Units of work that the gate must handle: exits by exception, nested and recursive calls, and a
 * unit that outlasts {@code quiesce-timeout}. Modes: {@code exits}, {@code stuck}.
 */
public final class GateApp {

    @Checkpointed
    static long units;

    private GateApp() {
    }

    @QuiescePoint
    static void failing(int i) {
        units++;
        throw new IllegalArgumentException("unit " + i + " fails");
    }

    @QuiescePoint
    static int recursive(int depth) {
        units++;
        return depth == 0 ? 0 : 1 + recursive(depth - 1);
    }

    @QuiescePoint
    static void outer() {
        units++;
        inner();
    }

    @QuiescePoint
    static void inner() {
        units++;
        try {
            failing(-1);
        } catch (IllegalArgumentException expected) {
            // a nested unit that exits by exception
        }
    }

    @QuiescePoint
    static void slow(CountDownLatch entered, long millis) throws InterruptedException {
        entered.countDown();
        Thread.sleep(millis);
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "exits" -> {
                for (int i = 0; i < 1000; i++) {
                    try {
                        failing(i);
                    } catch (IllegalArgumentException expected) {
                        // the unit is over
                    }
                }
                System.out.println("recursion=" + recursive(200));
                outer();
                System.out.println("checkpoint=" + Stasis.checkpoint("after-exits").id() + " units=" + units);
            }
            case "stuck" -> {
                CountDownLatch entered = new CountDownLatch(1);
                Thread worker = new Thread(() -> {
                    try {
                        slow(entered, 3_000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }, "stuck-worker");
                worker.start();
                entered.await();
                try {
                    Stasis.checkpoint("while-stuck");
                    System.out.println("checkpoint succeeded while a unit was in flight");
                } catch (IllegalStateException e) {
                    System.out.println("refused: " + e.getMessage());
                }
                units++;
                System.out.println("still running, units=" + units);
                worker.join();
                System.out.println("checkpoint=" + Stasis.checkpoint("after-stuck").id());
            }
            default -> throw new IllegalArgumentException(args[0]);
        }
    }
}
