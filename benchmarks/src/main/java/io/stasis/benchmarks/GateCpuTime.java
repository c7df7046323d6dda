package io.stasis.benchmarks;

import io.stasis.bootstrap.QuiesceGate;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;

/**
 * The gate's entry and exit against a plain call, in thread CPU time per call rather than wall
 * time: on a machine that other processes keep busy, a thread's time off the CPU does not count.
 * A companion to {@link QuiesceGateBenchmark} for such machines; run with
 * {@code -XX:CompileCommand=dontinline,io.stasis.benchmarks.GateCpuTime::work} and the number of
 * threads as the argument. Prints the median, minimum and maximum over rounds that alternate the
 * two variants.
 */
public final class GateCpuTime {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final int CALLS = 20_000_000;
    private static final int ROUNDS = 15;
    private static final String[] VARIANTS = {"plain call", "quiesce gate"};
    private static volatile long sink;

    private GateCpuTime() {
    }

    static long work(long x) {
        return x * 0x9E3779B97F4A7C15L + 7;
    }

    private static long plain(long seed) {
        long sum = 0;
        for (int i = 0; i < CALLS; i++) {
            sum += work(seed + i);
        }
        return sum;
    }

    private static long gated(long seed) {
        long sum = 0;
        for (int i = 0; i < CALLS; i++) {
            QuiesceGate.Unit unit = QuiesceGate.enter();
            try {
                sum += work(seed + i);
            } finally {
                QuiesceGate.exit(unit);
            }
        }
        return sum;
    }

    private static double nanosPerCall(int variant) {
        long start = THREADS.getCurrentThreadCpuTime();
        long seed = System.nanoTime();
        sink += variant == 0 ? plain(seed) : gated(seed);
        return (THREADS.getCurrentThreadCpuTime() - start) / (double) CALLS;
    }

    public static void main(String[] args) throws InterruptedException {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        double[][] results = new double[VARIANTS.length][ROUNDS * threads];
        CyclicBarrier together = new CyclicBarrier(threads);
        Thread[] workers = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            int index = t;
            workers[t] = new Thread(() -> {
                try {
                    for (int warmUp = 0; warmUp < 3 * VARIANTS.length; warmUp++) {
                        nanosPerCall(warmUp % VARIANTS.length);
                    }
                    for (int round = 0; round < ROUNDS; round++) {
                        for (int variant = 0; variant < VARIANTS.length; variant++) {
                            together.await();
                            results[variant][round * threads + index] = nanosPerCall(variant);
                        }
                    }
                } catch (InterruptedException | BrokenBarrierException e) {
                    throw new IllegalStateException(e);
                }
            });
            workers[t].start();
        }
        for (Thread worker : workers) {
            worker.join();
        }
        for (int variant = 0; variant < VARIANTS.length; variant++) {
            double[] sorted = results[variant].clone();
            Arrays.sort(sorted);
            System.out.printf("%s, %d thread(s): median %.2f ns, min %.2f, max %.2f (%d rounds)%n", VARIANTS[variant],
                    threads, sorted[sorted.length / 2], sorted[0], sorted[sorted.length - 1], sorted.length);
        }
    }
}
