package io.stasis.agent.it.apps;

import io.stasis.api.CheckpointKey;
import io.stasis.api.Checkpointed;
import io.stasis.api.Stasis;
import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Creates a million short-lived instances of a class with checkpointed state in a small heap. If
 * registration held them, the heap would run out; the Cleaner counts how many were collected.
 */
public final class ShortLivedApp {

    private static final Cleaner CLEANER = Cleaner.create();
    private static final AtomicLong COLLECTED = new AtomicLong();

    static final class Order {
        @CheckpointKey
        private final long id;
        @Checkpointed
        private byte[] payload = new byte[200];

        Order(long id) {
            this.id = id;
        }
    }

    private ShortLivedApp() {
    }

    public static void main(String[] args) throws Exception {
        int count = Integer.parseInt(args[0]);
        long checksum = 0;
        for (int i = 0; i < count; i++) {
            Order order = new Order(i);
            CLEANER.register(order, COLLECTED::incrementAndGet);
            checksum += order.payload.length;
        }
        for (int i = 0; i < 50 && COLLECTED.get() < count; i++) {
            System.gc();
            Thread.sleep(100);
        }
        Order survivor = new Order(-1);
        System.out.println("created=" + count + " collected=" + COLLECTED.get() + " checksum=" + checksum);
        System.out.println("checkpoint=" + Stasis.checkpoint("after-churn").id() + " survivor=" + survivor.id);
    }
}
