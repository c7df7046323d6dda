package io.stasis.benchmarks;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.util.DefaultInstantiatorStrategy;
import io.stasis.agent.internal.capture.CheckpointException;
import io.stasis.agent.internal.capture.Checkpointer;
import io.stasis.agent.internal.state.StateRegistry;
import io.stasis.kryo.AllowedClasses;
import io.stasis.kryo.SnapshotKryo;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.objenesis.strategy.StdInstantiatorStrategy;
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
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * The pause a checkpoint imposes, against serializing the same object graph with Kryo directly.
 *
 * <ul>
 *   <li>{@code checkpoint}: {@link Checkpointer#checkpoint} on a registry that holds one static
 *       {@code @Checkpointed} field ({@link StateHolder#state}), with a store that discards what it
 *       is given. The time is the whole call; the checkpoint's own pause
 *       ({@code Committed.pauseNanos}: gate closed, drained, roots serialized, gate open) is
 *       recorded for every measured call and printed per fork as {@code # pause ...}.</li>
 *   <li>{@code rawKryo}: a Kryo from {@link SnapshotKryo#create}, {@code writeClassAndObject} of the
 *       same graph into a reused {@link Output}, then reset. The floor any Kryo-based capture pays.</li>
 *   <li>{@code rawKryoToBytes}: the same plus {@code Output.toBytes()}, the copy a checkpoint keeps
 *       of each root; it tells how much of any gap between the two above is that copy.</li>
 *   <li>{@code rawKryoNoReferences}: {@code rawKryo} with Kryo's reference tracking off. Not a
 *       configuration snapshots can use (shared and cyclic references would not survive); it tells
 *       how much of the time is the reference tracking's identity map.</li>
 *   <li>{@code stockKryo}: a stock {@code new Kryo()} (registration off, references on,
 *       {@code FieldSerializer} by default, Objenesis fallback), without Stasis's serializers;
 *       what the same graph costs with Kryo as most applications configure it.</li>
 * </ul>
 *
 * <p>The state is {@link MixedState}, sized so that Kryo writes about {@code stateMb} MB
 * (calibrated at set-up; the real byte counts are printed as {@code # state ...}). With
 * {@code roots} above 1 it is split into that many {@code MixedState}s of equal size, each the
 * state of its own owner class ({@link StateHolder#OWNERS}), so each is a root of its own; the
 * raw Kryo baselines then write the same graphs one after the other, each a graph of its own.
 *
 * <p>Sample mode times every call, so JMH reports the median ({@code p0.50}) next to the mean; the
 * 100 MB case, seconds per call, is better run with {@code -bm ss} (one call per iteration).
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 2, jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
@State(Scope.Benchmark)
public class CheckpointPauseBenchmark {

    private static final long MB = 1024 * 1024;
    private static final int CALIBRATION_UNITS = 4000;

    @Param({"1", "10", "100"})
    public int stateMb;

    @Param({"1"})
    public int roots;

    /** The graphs the state is made of: one per root. */
    private MixedState[] parts;

    private Checkpointer checkpointer;
    private DiscardingStore store;
    private Kryo kryo;
    private Kryo kryoNoReferences;
    private Kryo stockKryo;
    private Output output;

    private boolean measuring;
    private long[] pauses = new long[1024];
    private long[] totals = new long[1024];
    private int samples;

    /** What the agent allows this state: the JDK's types and the types reachable from the holder's field. */
    private static final AllowedClasses ALLOWED = AllowedClasses.jdk().andReachableFrom(MixedState.class);

    @Setup(Level.Trial)
    public void setUp(BenchmarkParams params) throws CheckpointException {
        kryo = SnapshotKryo.create(CheckpointPauseBenchmark.class.getClassLoader(), ALLOWED);
        kryo.setAutoReset(false);
        output = new Output(1 << 16, -1);

        long calibrationBytes = serializedSize(MixedState.generate(CALIBRATION_UNITS, 42));
        int units = (int) Math.max(1, stateMb * MB * CALIBRATION_UNITS / calibrationBytes);
        if (roots < 1 || roots > StateHolder.OWNERS.size()) {
            throw new IllegalArgumentException("roots must be 1 to " + StateHolder.OWNERS.size());
        }
        parts = new MixedState[roots];
        for (int i = 0; i < roots; i++) {
            parts[i] = MixedState.generate(units / roots, 42 + i);
        }
        StateHolder.set(parts);

        StateRegistry registry = new StateRegistry(List.of());
        for (Class<?> owner : StateHolder.OWNERS.subList(0, roots)) {
            registry.initialized(owner);
        }
        store = new DiscardingStore();
        checkpointer = new Checkpointer(registry, store, null, Duration.ofSeconds(10), 1000, AllowedClasses.jdk());

        long rawBytes = 0;
        for (MixedState part : parts) {
            rawBytes += serializedSize(part);
        }
        String noReferences = "";
        if (params.getBenchmark().endsWith(".rawKryoNoReferences")) {
            // Only in its own forks, so that the other benchmarks' profiles never see this path.
            kryoNoReferences = SnapshotKryo.create(CheckpointPauseBenchmark.class.getClassLoader(), ALLOWED);
            kryoNoReferences.setReferences(false);
            kryoNoReferences.setAutoReset(false);
            noReferences = ", without references " + rawKryoNoReferences() + " bytes";
        }
        if (params.getBenchmark().endsWith(".stockKryo")) {
            stockKryo = new Kryo();
            stockKryo.setRegistrationRequired(false);
            stockKryo.setReferences(true);
            stockKryo.setInstantiatorStrategy(new DefaultInstantiatorStrategy(new StdInstantiatorStrategy()));
            stockKryo.setAutoReset(false);
            noReferences += ", stock Kryo " + stockKryo() + " bytes";
        }
        Checkpointer.Committed first = checkpointer.checkpoint("size check");
        Runtime rt = Runtime.getRuntime();
        System.gc();
        System.out.printf(Locale.ROOT, "%n# state %s stateMb=%d roots=%d: units=%d accounts=%d, raw Kryo %d bytes (%.2f MB), "
                        + "checkpoint root data %d bytes (%.2f MB)%s, heap used after GC %.0f MB%n",
                params.getBenchmark().replaceAll(".*\\.", ""), stateMb, roots, units,
                Arrays.stream(parts).mapToInt(MixedState::accounts).sum(),
                rawBytes, rawBytes / (double) MB, first.ref().bytes(), first.ref().bytes() / (double) MB, noReferences,
                (rt.totalMemory() - rt.freeMemory()) / (double) MB);
    }

    private long serializedSize(Object graph) {
        output.reset();
        kryo.writeClassAndObject(output, graph);
        long bytes = output.total();
        kryo.reset();
        return bytes;
    }

    @Setup(Level.Iteration)
    public void startIteration(IterationParams iteration) {
        measuring = iteration.getType() == IterationType.MEASUREMENT;
    }

    @TearDown(Level.Trial)
    public void report(BenchmarkParams params) {
        if (samples == 0 || !params.getBenchmark().endsWith(".checkpoint")) {
            return;
        }
        long[] p = Arrays.copyOf(pauses, samples);
        long[] t = Arrays.copyOf(totals, samples);
        Arrays.sort(p);
        Arrays.sort(t);
        System.out.printf(Locale.ROOT, "%n# pause stateMb=%d roots=%d: %d measured checkpoints; pauseNanos median %.3f ms "
                        + "(min %.3f, p90 %.3f, max %.3f); whole checkpoint() median %.3f ms; data %d bytes%n",
                stateMb, roots, samples, p[samples / 2] / 1e6, p[0] / 1e6, p[(int) (samples * 0.9)] / 1e6, p[samples - 1] / 1e6,
                t[samples / 2] / 1e6, store.lastDataBytes());
    }

    @Benchmark
    public Checkpointer.Committed checkpoint() throws CheckpointException {
        long start = System.nanoTime();
        Checkpointer.Committed committed = checkpointer.checkpoint("benchmark");
        long total = System.nanoTime() - start;
        if (measuring) {
            if (samples == pauses.length) {
                pauses = Arrays.copyOf(pauses, samples * 2);
                totals = Arrays.copyOf(totals, samples * 2);
            }
            pauses[samples] = committed.pauseNanos();
            totals[samples++] = total;
        }
        return committed;
    }

    @Benchmark
    public long rawKryo() {
        return writeAll(kryo);
    }

    @Benchmark
    public byte[] rawKryoToBytes() {
        writeAll(kryo);
        return output.toBytes();
    }

    /** Every part, each a graph of its own, one after the other into the output. */
    private long writeAll(Kryo with) {
        output.reset();
        for (MixedState part : parts) {
            with.writeClassAndObject(output, part);
            with.reset();
        }
        return output.total();
    }

    @Benchmark
    public long rawKryoNoReferences() {
        return writeAll(kryoNoReferences);
    }

    @Benchmark
    public long stockKryo() {
        return writeAll(stockKryo);
    }
}
