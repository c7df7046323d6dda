package io.stasis.agent.it.apps;

import io.stasis.api.Stasis;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Code that cannot be changed: no annotations at all. The agent's {@code fields} and
 * {@code quiesce} options name its state and its units of work.
 */
public final class PatternsApp {

    static final class Legacy {
        static int processed;
        private Map<String, Integer> cache = new HashMap<>();

        void process(String item) {
            processed++;
            cache.merge(item, 1, Integer::sum);
        }

        void processSlowly(CountDownLatch entered) throws InterruptedException {
            entered.countDown();
            Thread.sleep(2_000);
        }
    }

    private PatternsApp() {
    }

    public static void main(String[] args) throws Exception {
        Legacy legacy = new Legacy();
        System.out.println("restored processed=" + Legacy.processed + " cache=" + legacy.cache);
        for (String item : new String[] {"a", "b", "a"}) {
            legacy.process(item);
        }
        CountDownLatch entered = new CountDownLatch(1);
        Thread slow = new Thread(() -> {
            try {
                legacy.processSlowly(entered);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "slow-unit");
        slow.start();
        entered.await();
        try {
            Stasis.checkpoint("during-slow-unit");
            System.out.println("checkpoint taken during the slow unit");
        } catch (IllegalStateException e) {
            System.out.println("refused during the slow unit: " + e.getMessage());
        }
        slow.join();
        System.out.println("checkpoint=" + Stasis.checkpoint("after").id());
    }
}
