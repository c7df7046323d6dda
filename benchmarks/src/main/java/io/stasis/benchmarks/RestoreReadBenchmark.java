package io.stasis.benchmarks;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.stasis.kryo.ValueGraph;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * The read half of a restore against raw Kryo reading the same graph, in the same run.
 *
 * <ul>
 *   <li>{@code restore}: what the agent does per root, {@code ValueGraph.read} of the root's bytes
 *       with a Kryo from {@code SnapshotKryo.create} (the allow-list, the evolving form, the
 *       hostile-input budget, or its cheaper bound where the graph allows, and {@code
 *       SnapshotInput}'s length checks all on). The Kryo is reused
 *       between reads, as the agent's pool reuses it between roots and snapshots.</li>
 *   <li>{@code restoreAuthenticated}: the same for a snapshot that its store's key authenticated,
 *       {@code ValueGraph.readAuthenticated}: everything but the hostile-input budget.</li>
 *   <li>{@code rawKryo}: the baseline, a stock {@code new Kryo()} with registration off, references
 *       on and the Objenesis fallback ({@code FieldSerializer}, Kryo's {@code RecordSerializer}),
 *       {@code readClassAndObject} of what it wrote itself from a plain {@link Input}.</li>
 * </ul>
 *
 * <p>The graphs: {@link MixedState} of about 1, 10 and 100 MiB ({@code mixed1mb}, {@code mixed10mb},
 * {@code mixed100mb}; 3,785 units per MiB, as section 2 of docs/benchmarks.md calibrates it) and the
 * 10 MB map of records ({@code map10mb}, {@link SerializerGraphs}). Two graphs share one object, met
 * again only at their end: a list of the 10 MiB state and then its list of events again, by itself
 * ({@code mixed10mbSharedInList}: nothing hashes the shared list, and the read goes on) or as the
 * value of a map ({@code mixed10mbSharedInMap}: the restore's cheap check gives up there and the
 * graph is read again under the hostile-input budget, the worst case for that check). Their writer
 * says they share objects, so {@code restore}, as the agent does, reads them under the budget
 * straight away. Set-up checks that both read back
 * a graph equal to the original, and prints the byte counts as {@code # bytes ...}.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 2, jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
@State(Scope.Benchmark)
public class RestoreReadBenchmark {

    static final int UNITS_PER_MB = 3_785;

    @Param({"mixed1mb", "mixed10mb", "map10mb"})
    public String graph;

    private Encoded encoded;
    private final Input input = new Input();

    /** One graph as the agent stores it and as raw Kryo writes it, each with the Kryo that reads it back. */
    record Encoded(Kryo snapshot, byte[] snapshotBytes, boolean sharesObjects, Kryo raw, byte[] rawBytes) {

        /** Encodes {@code original} both ways and checks that each reads back a graph equal to it. */
        static Encoded of(Object original) {
            Kryo snapshot = SerializerComparisonBenchmark.snapshotKryo();
            byte[] snapshotBytes = ValueGraph.write(snapshot, new Output(1 << 16, -1), List.of(original));
            boolean sharesObjects = ValueGraph.sharesObjects(snapshot);
            Kryo raw = SerializerComparisonBenchmark.stockKryo();
            Output output = new Output(1 << 16, -1);
            raw.writeClassAndObject(output, original);
            byte[] rawBytes = output.toBytes();
            check(original, ValueGraph.read(snapshot, snapshotBytes, 1).get(0), "restore");
            check(original, ValueGraph.readSharing(snapshot, snapshotBytes, 1).get(0), "restore");
            check(original, raw.readClassAndObject(new Input(rawBytes)), "rawKryo");
            return new Encoded(snapshot, snapshotBytes, sharesObjects, raw, rawBytes);
        }

        /** What the agent's restore does with the root's bytes, as their writer said they share objects or not. */
        List<Object> restore() {
            return sharesObjects ? ValueGraph.readSharing(snapshot, snapshotBytes, 1) : ValueGraph.read(snapshot, snapshotBytes, 1);
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        encoded = Encoded.of(graph(graph));
        System.out.printf(Locale.ROOT, "%n# bytes graph=%s: restore %d, rawKryo %d; round trips checked%n",
                graph, encoded.snapshotBytes().length, encoded.rawBytes().length);
    }

    @Benchmark
    public Object restore() {
        return encoded.restore();
    }

    @Benchmark
    public Object restoreAuthenticated() {
        return ValueGraph.readAuthenticated(encoded.snapshot(), encoded.snapshotBytes(), 1);
    }

    @Benchmark
    public Object rawKryo() {
        input.setBuffer(encoded.rawBytes());
        return encoded.raw().readClassAndObject(input);
    }

    static Object graph(String name) {
        return switch (name) {
            case "mixed1mb" -> MixedState.generate(UNITS_PER_MB, SerializerGraphs.SEED);
            case "mixed10mb" -> MixedState.generate(10 * UNITS_PER_MB, SerializerGraphs.SEED);
            case "mixed100mb" -> MixedState.generate(100 * UNITS_PER_MB, SerializerGraphs.SEED);
            case "mixed10mbSharedInList", "mixed10mbSharedInMap" -> {
                MixedState state = MixedState.generate(10 * UNITS_PER_MB, SerializerGraphs.SEED);
                yield new ArrayList<>(List.of(state, name.endsWith("InList") ? state.events
                        : new HashMap<>(Map.of("events", state.events))));
            }
            default -> SerializerGraphs.create(name);
        };
    }

    private static void check(Object original, Object copy, String how) {
        if (copy == original || !original.equals(copy)) {
            throw new IllegalStateException(how + " does not round-trip the graph");
        }
    }
}
