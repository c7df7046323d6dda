package io.stasis.benchmarks;

import com.esotericsoftware.kryo.Kryo;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.stasis.kryo.SnapshotKryo;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What the libraries a restore needs cost the first time a JVM uses them: each piece alone, in a
 * fresh JVM, its thread's CPU time from first use to done (loading its classes from a jar,
 * verifying them, initialising them). The agent's relocated copies are the same classes under other
 * names, loaded the same way.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.stasis.benchmarks.ColdStartCosts [RUNS]
 * </pre>
 *
 * Runs every piece RUNS times (default 7), each in a JVM of its own with the same class path, the
 * pieces taking turns, and prints the median CPU and wall milliseconds of each; "nothing" is what
 * making a piece costs by itself.
 */
public final class ColdStartCosts {

    private static final byte[] JSON = "{\"format\":4,\"roots\":[{\"name\":\"a\",\"size\":12}],\"ok\":true}"
            .getBytes(StandardCharsets.UTF_8);

    /** One piece; a class of its own, so that nothing it uses is loaded before its clock starts. */
    @FunctionalInterface
    private interface Piece {
        void run() throws Exception;
    }

    /** The pieces, in the order a restore meets them, by the name printed. */
    private static final Map<String, Class<? extends Piece>> PIECES = new LinkedHashMap<>();

    static {
        PIECES.put("nothing", Nothing.class);
        PIECES.put("jackson JsonFactory", NewJsonFactory.class);
        PIECES.put("jackson parse and generate", JsonParseAndGenerate.class);
        PIECES.put("jackson tree nodes", JsonTreeNodes.class);
        PIECES.put("SHA-256 (JCA)", Sha256.class);
        PIECES.put("stock Kryo", StockKryo.class);
        PIECES.put("SnapshotKryo", NewSnapshotKryo.class);
    }

    static final class Nothing implements Piece {
        @Override
        public void run() {
            // the baseline: a piece's own class, made reflectively
        }
    }

    static final class NewJsonFactory implements Piece {
        @Override
        public void run() {
            new JsonFactory();
        }
    }

    static final class JsonParseAndGenerate implements Piece {
        @Override
        public void run() throws IOException {
            JsonFactory factory = new JsonFactory();
            try (JsonParser parser = factory.createParser(JSON)) {
                while (parser.nextToken() != null) {
                    // every token, as a manifest is read
                }
            }
            try (JsonGenerator generator = factory.createGenerator(new ByteArrayOutputStream())) {
                generator.writeStartObject();
                generator.writeNumberField("format", 4);
                generator.writeEndObject();
            }
        }
    }

    static final class JsonTreeNodes implements Piece {
        @Override
        public void run() {
            JsonNodeFactory.instance.objectNode().put("format", 4).putArray("roots");
        }
    }

    static final class Sha256 implements Piece {
        @Override
        public void run() throws Exception {
            MessageDigest.getInstance("SHA-256").digest(JSON);
        }
    }

    static final class StockKryo implements Piece {
        @Override
        public void run() {
            new Kryo();
        }
    }

    static final class NewSnapshotKryo implements Piece {
        @Override
        public void run() {
            SnapshotKryo.create(ColdStartCosts.class.getClassLoader());
        }
    }

    private ColdStartCosts() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("--piece")) {
            measure(args[1]);
            return;
        }
        int runs = args.length == 1 ? Integer.parseInt(args[0]) : 7;
        Map<String, List<double[]>> results = new LinkedHashMap<>();
        for (int run = 1; run <= runs; run++) {
            System.err.printf(Locale.ROOT, "run %d of %d%n", run, runs);
            for (String piece : PIECES.keySet()) {
                results.computeIfAbsent(piece, p -> new ArrayList<>()).add(fork(piece));
            }
        }
        System.out.printf(Locale.ROOT, "%-28s %8s %8s%n", "piece, first use", "CPU ms", "wall ms");
        results.forEach((piece, values) -> System.out.printf(Locale.ROOT, "%-28s %8.1f %8.1f%n",
                piece, median(values, 0), median(values, 1)));
        System.out.printf(Locale.ROOT, "medians of %d JVMs each; %s %s%n", runs,
                System.getProperty("java.vm.name"), System.getProperty("java.version"));
    }

    /** In a JVM of its own: one piece, timed; prints "cpuNanos wallNanos". */
    private static void measure(String name) throws Exception {
        Class<? extends Piece> type = PIECES.get(name);
        if (type == null) {
            throw new IllegalArgumentException("no piece " + name + "; pieces: " + PIECES.keySet());
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Nothing.class.getDeclaredConstructor().newInstance().run(); // reflection is not what is measured
        long cpu = threads.getCurrentThreadCpuTime();
        long wall = System.nanoTime();
        type.getDeclaredConstructor().newInstance().run();
        System.out.println((threads.getCurrentThreadCpuTime() - cpu) + " " + (System.nanoTime() - wall));
    }

    private static double[] fork(String piece) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path log = Files.createTempFile("cold-start-costs", ".txt");
        try {
            // To a file, so that the bounded wait comes first: a pipe read would wait as long as the child.
            Process process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                    ColdStartCosts.class.getName(), "--piece", piece).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(piece + " did not finish within 60 s");
            }
            String output = Files.readString(log).trim();
            if (process.exitValue() != 0) {
                throw new IllegalStateException(piece + " failed: " + output);
            }
            String[] parts = output.substring(output.lastIndexOf('\n') + 1).split(" ");
            return new double[] {Long.parseLong(parts[0]) / 1e6, Long.parseLong(parts[1]) / 1e6};
        } finally {
            Files.deleteIfExists(log);
        }
    }


    private static double median(List<double[]> values, int index) {
        double[] sorted = values.stream().mapToDouble(v -> v[index]).sorted().toArray();
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
