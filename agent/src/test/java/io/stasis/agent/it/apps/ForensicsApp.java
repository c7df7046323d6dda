package io.stasis.agent.it.apps;

import io.stasis.api.Checkpointed;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Makes incidents for ForensicsIT: a deadlock, an uncaught exception, memory pressure, an
 * exception storm, or nothing (for a manual request). Holds a canary secret (from the system
 * property {@code app.canary}) in {@code @Checkpointed} state.
 */
public final class ForensicsApp {

    @Checkpointed
    static String apiSecret;
    @Checkpointed
    static Map<String, Long> counters = new java.util.HashMap<>();

    static final List<byte[]> RETAINED = new ArrayList<>();

    private ForensicsApp() {
    }

    public static void main(String[] args) throws Exception {
        apiSecret = "state-" + System.getProperty("app.canary");
        counters.put("orders", 42L);
        awaitForensics();
        System.out.println("ready");
        switch (args[0]) {
            case "deadlock" -> deadlock();
            case "uncaught" -> throw new IllegalStateException("the application failed");
            case "memory" -> memory();
            case "wait" -> Thread.sleep(Long.MAX_VALUE);
            case "oom" -> {
                while (true) {
                    RETAINED.add(new byte[64 * 1024]); // ends in an OutOfMemoryError, uncaught, with the heap still full
                }
            }
            case "gc" -> {
                while (true) {
                    RETAINED.add(new byte[1024]);
                    System.gc();
                    Thread.sleep(200);
                }
            }
            case "storm" -> storm(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
            case "facade" -> {
                System.out.println("facade bundle: " + io.stasis.api.Stasis.incident("requested by the application"));
                Thread.sleep(Long.MAX_VALUE);
            }
            case "jfr-secrets" -> {
                // An application that records itself with every event that copies a secret, and makes some.
                if (args.length > 1) {
                    jdk.jfr.Recording own = new jdk.jfr.Recording();
                    for (String event : args[1].split(",")) {
                        own.enable(event);
                    }
                    own.start();
                }
                String canary = System.getProperty("app.canary");
                java.security.Security.setProperty("app.secret", canary);
                new ProcessBuilder("/bin/true", "--password=" + canary).start().waitFor();
                System.out.println("facade bundle: " + io.stasis.api.Stasis.incident("secrets made"));
                Thread.sleep(Long.MAX_VALUE);
            }
            case "slow-unit" -> {
                for (int i = 0; i < 200; i++) {
                    quickUnit(); // many short units first: none of them is slow
                }
                slowUnit();
                Thread.sleep(Long.MAX_VALUE);
            }
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    @io.stasis.api.QuiescePoint
    static void quickUnit() throws InterruptedException {
        Thread.sleep(5);
    }

    @io.stasis.api.QuiescePoint
    static void slowUnit() throws InterruptedException {
        System.out.println("slow unit started");
        Thread.sleep(3_000);
        System.out.println("slow unit done");
    }

    static void deadlock() throws InterruptedException {
        Object first = new Object();
        Object second = new Object();
        CountDownLatch both = new CountDownLatch(2);
        start("monitor-deadlock-A", () -> {
            synchronized (first) {
                both.countDown();
                await(both);
                synchronized (second) {
                    System.out.println("unreachable");
                }
            }
        });
        start("monitor-deadlock-B", () -> {
            synchronized (second) {
                both.countDown();
                await(both);
                synchronized (first) {
                    System.out.println("unreachable");
                }
            }
        });
        ReentrantLock third = new ReentrantLock();
        ReentrantLock fourth = new ReentrantLock();
        CountDownLatch locks = new CountDownLatch(2);
        start("lock-deadlock-C", () -> {
            third.lock();
            locks.countDown();
            await(locks);
            fourth.lock();
        });
        start("lock-deadlock-D", () -> {
            fourth.lock();
            locks.countDown();
            await(locks);
            third.lock();
        });
        System.out.println("deadlocked");
        Thread.sleep(Long.MAX_VALUE);
    }

    static void memory() throws InterruptedException {
        long max = Runtime.getRuntime().maxMemory();
        // Retain about 70% of the heap in long-lived arrays: old-generation usage after GC passes the threshold.
        while (used() < max * 7 / 10) {
            RETAINED.add(new byte[256 * 1024]);
        }
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(200);
        }
        System.out.println("holding " + used() / (1024 * 1024) + " MB of " + max / (1024 * 1024));
        while (true) {
            // a service under memory pressure keeps collecting
            RETAINED.add(new byte[1024]);
            System.gc();
            Thread.sleep(500);
        }
    }

    /** Waits until the agent's forensics is up (its JMX control is registered last), as a long-running service would be. */
    static void awaitForensics() throws Exception {
        javax.management.ObjectName name = new javax.management.ObjectName("io.stasis:type=Forensics");
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!java.lang.management.ManagementFactory.getPlatformMBeanServer().isRegistered(name)
                && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    private static long used() {
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }

    /**
     * Reports {@code rate} exceptions per second for {@code seconds} to the default uncaught-exception
     * handler (as frameworks do for failed tasks), from three call sites, while a worker counts units of
     * work. The application sets its own handler first: the agent's must keep it in the chain.
     */
    static void storm(int rate, int seconds) throws Exception {
        AtomicLong appHandled = new AtomicLong();
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> appHandled.incrementAndGet());
        Thread.sleep(1500); // the agent re-wraps a replaced handler at its next check
        AtomicLong units = new AtomicLong();
        Thread worker = start("worker", () -> {
            long x = 1;
            while (!Thread.currentThread().isInterrupted()) {
                for (int i = 0; i < 10_000; i++) {
                    x = x * 6364136223846793005L + 1442695040888963407L;
                }
                if (x == 0) {
                    System.out.println("never");
                }
                units.incrementAndGet();
            }
        });
        long start = System.nanoTime();
        long reported = 0;
        long end = start + seconds * 1_000_000_000L;
        while (System.nanoTime() < end) {
            long due = (System.nanoTime() - start) * rate / 1_000_000_000L;
            while (reported < due) {
                Throwable e = switch ((int) (reported % 3)) {
                    case 0 -> siteA();
                    case 1 -> siteB();
                    default -> siteC();
                };
                Thread.getDefaultUncaughtExceptionHandler().uncaughtException(Thread.currentThread(), e);
                reported++;
            }
            Thread.sleep(1);
        }
        worker.interrupt();
        worker.join();
        double secs = (System.nanoTime() - start) / 1e9;
        System.out.printf("storm reported=%d app-handled=%d units=%d units-per-second=%.1f%n", reported, appHandled.get(),
                units.get(), units.get() / secs);
        System.exit(0);
    }

    private static Throwable siteA() {
        return new IllegalStateException("A");
    }

    private static Throwable siteB() {
        return new IllegalArgumentException("B");
    }

    private static Throwable siteC() {
        return new UnsupportedOperationException("C");
    }

    private static Thread start(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
