package io.stasis.benchmarks;

import io.stasis.bootstrap.QuiesceGate;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.CompilerControl;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What a unit of work pays to pass through the quiesce gate, per invocation, against the same tiny
 * unit of work called plainly and guarded by the obvious alternative, a shared
 * {@link ReentrantReadWriteLock}'s read lock.
 *
 * <p>The unit of work is a method the JIT may not inline ({@link #work}), so every variant pays a
 * real call and the gate cannot be hoisted out of a loop or folded away. The gate is called exactly
 * as the agent's advice calls it: {@code enter()} on method entry, {@code exit()} on every exit.
 * Each variant runs with one thread (uncontended) and with two threads (all threads on the same
 * gate, or on the same lock instance). Scores are average time per call, per thread.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(3)
@State(Scope.Benchmark)
public class QuiesceGateBenchmark {

    /** One lock shared by every benchmark thread, as an application-wide lock would be. */
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();

    /** Per-thread input, so the JIT cannot treat the argument as a constant. */
    @State(Scope.Thread)
    public static class Input {
        long value = System.nanoTime();
    }

    /** The unit of work: tiny, and a real call every time. */
    @CompilerControl(CompilerControl.Mode.DONT_INLINE)
    static long work(long x) {
        return x * 0x9E3779B97F4A7C15L + 7;
    }

    private static long plain(Input in) {
        return work(in.value);
    }

    private static long gated(Input in) {
        QuiesceGate.Unit unit = QuiesceGate.enter();
        try {
            return work(in.value);
        } finally {
            QuiesceGate.exit(unit);
        }
    }

    private long readLocked(Input in) {
        ReentrantReadWriteLock.ReadLock read = lock.readLock();
        read.lock();
        try {
            return work(in.value);
        } finally {
            read.unlock();
        }
    }

    @Benchmark
    @Threads(1)
    public long plainCall_1thread(Input in) {
        return plain(in);
    }

    @Benchmark
    @Threads(1)
    public long quiesceGate_1thread(Input in) {
        return gated(in);
    }

    @Benchmark
    @Threads(1)
    public long readWriteLock_1thread(Input in) {
        return readLocked(in);
    }

    @Benchmark
    @Threads(2)
    public long plainCall_2threads(Input in) {
        return plain(in);
    }

    @Benchmark
    @Threads(2)
    public long quiesceGate_2threads(Input in) {
        return gated(in);
    }

    @Benchmark
    @Threads(2)
    public long readWriteLock_2threads(Input in) {
        return readLocked(in);
    }
}
