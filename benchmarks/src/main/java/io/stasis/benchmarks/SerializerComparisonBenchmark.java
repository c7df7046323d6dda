package io.stasis.benchmarks;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.serializers.CompatibleFieldSerializer;
import com.esotericsoftware.kryo.util.DefaultInstantiatorStrategy;
import io.stasis.kryo.AllowedClasses;
import io.stasis.kryo.SnapshotKryo;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.apache.fory.Fory;
import org.apache.fory.config.CompatibleMode;
import org.apache.fory.config.Language;
import org.apache.fory.logging.LogLevel;
import org.apache.fory.logging.LoggerFactory;
import org.apache.fory.memory.MemoryBuffer;
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
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * Snapshot's evolution-safe form against other serializers, on the same object graphs in the same
 * run: {@code write} serializes the graph into a reused buffer, {@code read} deserializes it from
 * the bytes written at set-up.
 *
 * <ul>
 *   <li>{@code kryoField}: the baseline, a stock {@code new Kryo()} with registration off,
 *       references on and the Objenesis fallback, that is the entry point's settings without its
 *       serializers: {@code FieldSerializer} for application classes, Kryo's own serializers for the
 *       rest.</li>
 *   <li>{@code kryoCompatible}: the same with {@link CompatibleFieldSerializer} as the default
 *       serializer (field names written once per class and graph, fields chunked).</li>
 *   <li>{@code snapshotKryo}: {@link SnapshotKryo#create}, the evolution-safe form Stasis writes
 *       snapshots with (see {@link #snapshotKryo()}).</li>
 *   <li>{@code fory}: Apache Fory, Java mode, {@code CompatibleMode.COMPATIBLE} (schema
 *       evolution), no class registration, reference tracking on.</li>
 *   <li>{@code jdk}: {@link ObjectOutputStream} / {@link ObjectInputStream}.</li>
 * </ul>
 *
 * <p>Every serializer writes the whole graph with its type information ({@code writeClassAndObject}
 * for Kryo) and starts from a fresh state per operation (Kryo and Fory reset their reference and
 * class tables after each top-level call; JDK serialization gets new streams). Writing reuses one
 * growable buffer per serializer and does not copy the result out of it.
 *
 * <p>Set-up writes the graph, reads it back and checks the copy: deep {@code equals} and, for
 * {@code order}, that shared instances are still shared. A serializer that cannot round-trip a graph
 * fails there, before anything is measured. Each fork prints the serialized size as
 * {@code # bytes graph=... serializer=...: N}.
 *
 * <p>The defaults suit {@code media}, {@code order} and {@code map10mb}; run {@code mixed100mb}
 * separately in single-shot mode (see docs/benchmarks.md).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
@State(Scope.Benchmark)
public class SerializerComparisonBenchmark {

    @Param({"media", "order", "map10mb", "mixed100mb"})
    public String graph;

    @Param({"kryoField", "kryoCompatible", "snapshotKryo", "fory", "jdk"})
    public String serializer;

    private Object root;
    private Codec codec;

    @Setup(Level.Trial)
    public void setUp(BenchmarkParams params) {
        Object original = SerializerGraphs.create(graph);
        codec = codec(serializer);
        long bytes = codec.write(original);
        byte[] form = codec.written();
        if (form.length != bytes) {
            throw new IllegalStateException(serializer + ": wrote " + bytes + " bytes, kept " + form.length);
        }
        codec.load(form);
        Object copy = codec.read();
        if (copy == original || !original.equals(copy)) {
            throw new IllegalStateException(serializer + " does not round-trip graph " + graph);
        }
        SerializerGraphs.checkSharedReferences(copy);
        // Each benchmark keeps only what it uses: the graph to write, or the bytes to read.
        root = params.getBenchmark().endsWith(".write") ? original : null;
        System.out.printf(Locale.ROOT, "%n# bytes graph=%s serializer=%s: %d (%.2f MiB); round trip checked%n",
                graph, serializer, bytes, bytes / (1024.0 * 1024.0));
    }

    @Benchmark
    public long write() {
        return codec.write(root);
    }

    @Benchmark
    public Object read() {
        return codec.read();
    }

    /** Stasis's evolution-safe configuration: the one call to the module's entry point. */
    /** As the agent configures it, with the benchmark's graph classes allowed by package. */
    static Kryo snapshotKryo() {
        return SnapshotKryo.create(SerializerComparisonBenchmark.class.getClassLoader(),
                AllowedClasses.jdk().andPackages(List.of("io.stasis.benchmarks.*")));
    }

    /** The entry point's settings, with Kryo's own serializers. */
    static Kryo stockKryo() {
        Kryo kryo = new Kryo();
        kryo.setRegistrationRequired(false);
        kryo.setReferences(true);
        kryo.setInstantiatorStrategy(new DefaultInstantiatorStrategy(new StdInstantiatorStrategy()));
        return kryo;
    }

    static Codec codec(String name) {
        switch (name) {
            case "kryoField":
                return new KryoCodec(stockKryo());
            case "kryoCompatible": {
                Kryo kryo = stockKryo();
                kryo.setDefaultSerializer(CompatibleFieldSerializer.class);
                return new KryoCodec(kryo);
            }
            case "snapshotKryo":
                return new KryoCodec(snapshotKryo());
            case "fory":
                LoggerFactory.setLogLevel(LogLevel.WARN_LEVEL); // not a line per generated serializer
                return new ForyCodec(Fory.builder()
                        .withLanguage(Language.JAVA)
                        .withCompatibleMode(CompatibleMode.COMPATIBLE)
                        .requireClassRegistration(false)
                        .withRefTracking(true)
                        .build());
            case "jdk":
                return new JdkCodec();
            default:
                throw new IllegalArgumentException("unknown serializer: " + name);
        }
    }

    /** One serializer: writes into its own reused buffer, reads what {@link #load} gave it. */
    interface Codec {
        /** Serializes {@code graph}, replacing what was written before; returns the byte count. */
        long write(Object graph);

        /** A copy of what the last {@link #write} wrote. */
        byte[] written();

        /** Sets the bytes {@link #read} deserializes. */
        void load(byte[] bytes);

        /** Deserializes the loaded bytes, from the start. */
        Object read();
    }

    static final class KryoCodec implements Codec {
        private final Kryo kryo;
        private final Output output = new Output(1 << 16, -1);
        private final Input input = new Input();
        private byte[] bytes;

        KryoCodec(Kryo kryo) {
            this.kryo = kryo;
        }

        @Override
        public long write(Object graph) {
            output.reset();
            kryo.writeClassAndObject(output, graph);
            return output.total();
        }

        @Override
        public byte[] written() {
            return output.toBytes();
        }

        @Override
        public void load(byte[] bytes) {
            this.bytes = bytes;
        }

        @Override
        public Object read() {
            input.setBuffer(bytes);
            return kryo.readClassAndObject(input);
        }
    }

    static final class ForyCodec implements Codec {
        private final Fory fory;
        private final MemoryBuffer output = MemoryBuffer.newHeapBuffer(1 << 16);
        private MemoryBuffer input;

        ForyCodec(Fory fory) {
            this.fory = fory;
        }

        @Override
        public long write(Object graph) {
            output.writerIndex(0);
            fory.serialize(output, graph);
            return output.writerIndex();
        }

        @Override
        public byte[] written() {
            return output.getBytes(0, output.writerIndex());
        }

        @Override
        public void load(byte[] bytes) {
            input = MemoryBuffer.fromByteArray(bytes);
        }

        @Override
        public Object read() {
            input.readerIndex(0);
            return fory.deserialize(input);
        }
    }

    static final class JdkCodec implements Codec {
        private final ByteArrayOutputStream output = new ByteArrayOutputStream(1 << 16);
        private byte[] bytes;

        @Override
        public long write(Object graph) {
            output.reset();
            try (ObjectOutputStream out = new ObjectOutputStream(output)) {
                out.writeObject(graph);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return output.size();
        }

        @Override
        public byte[] written() {
            return output.toByteArray();
        }

        @Override
        public void load(byte[] bytes) {
            this.bytes = bytes;
        }

        @Override
        public Object read() {
            try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
                return in.readObject();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
