package io.stasis.benchmarks;

import io.stasis.bootstrap.QuiesceGate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What one cut costs the gate, with no unit of work in flight: closing it (which makes every Java
 * thread pass a safepoint), finding it drained, and opening it. The process has {@code threads}
 * more threads alive, parked as the idle threads of a pool are.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(3)
@State(Scope.Benchmark)
public class QuiesceCutBenchmark {

    @Param({"2", "50", "500"})
    int threads;

    private final CountDownLatch release = new CountDownLatch(1);
    private final List<Thread> alive = new ArrayList<>();

    @Setup(Level.Trial)
    public void startThreads() throws InterruptedException {
        CountDownLatch started = new CountDownLatch(threads);
        for (int i = 0; i < threads; i++) {
            Thread thread = new Thread(() -> {
                // Each has passed the gate once, so it has a record the cut looks at.
                QuiesceGate.exit(QuiesceGate.enter());
                started.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "idle-" + i);
            thread.setDaemon(true);
            thread.start();
            alive.add(thread);
        }
        started.await();
    }

    @TearDown(Level.Trial)
    public void stopThreads() throws InterruptedException {
        release.countDown();
        for (Thread thread : alive) {
            thread.join();
        }
    }

    @Benchmark
    public int cut() {
        QuiesceGate.close();
        try {
            return QuiesceGate.awaitDrained(TimeUnit.SECONDS.toNanos(10)).size();
        } finally {
            QuiesceGate.open();
        }
    }
}
