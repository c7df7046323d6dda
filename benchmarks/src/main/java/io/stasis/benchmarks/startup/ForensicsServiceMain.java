package io.stasis.benchmarks.startup;

import io.stasis.api.Checkpointed;
import io.stasis.api.QuiescePoint;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A stand-in for a typical service, for benchmarks/forensics.sh: 64 idle pool threads, a cache of
 * {@code MB} megabytes of live objects, 10,000 entries of {@code @Checkpointed} state and two workers
 * processing requests ({@code @QuiescePoint} units).
 *
 * <pre>
 * serve MB                 run until killed; prints "serving"
 * storm MB RATE SECONDS    report RATE exceptions/s to the default uncaught-exception handler (as frameworks
 *                          do for failed tasks) for SECONDS, then print the workers' requests per second
 * </pre>
 */
public final class ForensicsServiceMain {

    @Checkpointed
    static Map<String, Long> accounts = new HashMap<>();

    static final Map<Long, Object> CACHE = new ConcurrentHashMap<>();
    static final AtomicLong REQUESTS = new AtomicLong();

    private ForensicsServiceMain() {
    }

    record Entry(long id, String name, long[] values) {
    }

    public static void main(String[] args) throws Exception {
        int megabytes = Integer.parseInt(args[1]);
        AtomicLong handled = new AtomicLong();
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> handled.incrementAndGet()); // the application's logging
        for (int i = 0; i < 10_000; i++) {
            accounts.put("account-" + i, (long) i);
        }
        // About 1 KB per entry.
        for (long i = 0; i < megabytes * 1024L; i++) {
            CACHE.put(i, new Entry(i, "entry-" + i, new long[120]));
        }
        CountDownLatch never = new CountDownLatch(1);
        for (int i = 0; i < 64; i++) {
            Thread t = new Thread(() -> {
                try {
                    never.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "pool-" + i);
            t.setDaemon(true);
            t.start();
        }
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Thread w = new Thread(() -> {
                long n = 0;
                while (!Thread.currentThread().isInterrupted()) {
                    handle(n++);
                }
            }, "worker-" + i);
            w.setDaemon(true);
            w.start();
            workers.add(w);
        }
        System.out.println("serving");
        if (args[0].equals("storm")) {
            storm(Integer.parseInt(args[2]), Integer.parseInt(args[3]), handled);
        } else {
            never.await();
        }
    }

    @QuiescePoint
    static void handle(long n) {
        long x = n;
        for (int i = 0; i < 2_000; i++) {
            x = x * 6364136223846793005L + 1442695040888963407L;
        }
        if (x == 42) {
            System.out.println("rare");
        }
        REQUESTS.incrementAndGet();
    }

    static void storm(int rate, int seconds, AtomicLong handled) throws InterruptedException {
        Thread.sleep(6000); // the agent puts its handler in front of the application's at its next check
        long startRequests = REQUESTS.get();
        long start = System.nanoTime();
        long end = start + seconds * 1_000_000_000L;
        long reported = 0;
        while (System.nanoTime() < end) {
            long due = (System.nanoTime() - start) * rate / 1_000_000_000L;
            while (reported < due) {
                RuntimeException e = (reported % 2 == 0) ? new IllegalStateException("a") : new IllegalArgumentException("b");
                Thread.getDefaultUncaughtExceptionHandler().uncaughtException(Thread.currentThread(), e);
                reported++;
            }
            Thread.sleep(1);
        }
        double secs = (System.nanoTime() - start) / 1e9;
        System.out.printf("storm reported=%d handled=%d requests-per-second=%.0f%n", reported, handled.get(),
                (REQUESTS.get() - startRequests) / secs);
        System.exit(0);
    }
}
