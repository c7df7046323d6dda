package io.stasis.benchmarks.store;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Output;
import io.stasis.agent.internal.store.FileSnapshotStore;
import io.stasis.agent.internal.store.Root;
import io.stasis.agent.internal.store.Snapshot;
import io.stasis.agent.internal.store.SnapshotRef;
import io.stasis.agent.internal.store.StoreKey;
import io.stasis.kryo.AllowedClasses;
import io.stasis.kryo.SnapshotKryo;
import io.stasis.kryo.ValueGraph;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Whole-process measurement of the snapshot store on this machine's disk: checkpoint write and
 * restore read throughput for a state of the given size, next to {@code dd}'s fsync'd sequential
 * write and its read of the same amount measured in the same run, and the bytes an incremental
 * checkpoint writes when 1% of the state changed (in 100 places, in 10,000 places, and at random
 * keys of a {@code HashMap<Integer, byte[1000]>} serialized as a checkpoint does).
 *
 * <pre>java -Xmx12g -cp benchmarks/target/benchmarks.jar io.stasis.benchmarks.store.StoreThroughput DIR MB RUNS [lz4|none] [encrypted]</pre>
 *
 * The fourth argument is the agent's {@code compression} option for the write and read (default
 * {@code lz4}); {@code encrypted} writes and reads them with a random {@code encryption-key}. The
 * incremental cases always compress, without a key.
 */
public final class StoreThroughput {

    private StoreThroughput() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int megabytes = Integer.parseInt(args[1]);
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        String compression = args.length > 3 ? args[3] : "lz4";
        if (!compression.equals("lz4") && !compression.equals("none")) {
            throw new IllegalArgumentException("compression is lz4 or none, not " + compression);
        }
        if (args.length > 4 && !args[4].equals("encrypted")) {
            throw new IllegalArgumentException("the last argument is encrypted or nothing, not " + args[4]);
        }
        StoreKey key = args.length > 4 ? randomKey() : null;
        byte[] state = state(megabytes << 20, 1);
        System.out.printf("state: %d MB of serialized-like records; %d runs; compression=%s%s; medians%n", megabytes,
                runs, compression, key == null ? "" : ", encrypted");
        List<Double> ddWrite = new ArrayList<>();
        List<Double> ddRead = new ArrayList<>();
        List<Double> write = new ArrayList<>();
        List<Double> read = new ArrayList<>();
        List<Double> writeCpu = new ArrayList<>();
        List<Double> readCpu = new ArrayList<>();
        long stored = 0;
        for (int run = 0; run < runs; run++) {
            delete(dir);
            Files.createDirectories(dir);
            ddWrite.add(dd("if=/dev/zero", "of=" + dir.resolve("dd.bin"), "bs=1M", "count=" + megabytes, "conv=fsync"));
            ddRead.add(dd("if=" + dir.resolve("dd.bin"), "of=/dev/null", "bs=1M"));
            Files.delete(dir.resolve("dd.bin"));
            try (FileSnapshotStore store = key == null ? FileSnapshotStore.openForWriting(dir.resolve("store"))
                    : FileSnapshotStore.openForWriting(dir.resolve("store"), key)) {
                if (compression.equals("none")) { // only then: the default store of an earlier commit runs this too
                    store.compressChunks(false);
                }
                long start = System.nanoTime();
                long cpu = cpuNanos();
                SnapshotRef ref = store.write(snapshot(1, state));
                write.add(megabytes / seconds(start));
                writeCpu.add((cpuNanos() - cpu) / 1e9);
                stored = ref.bytes();
                start = System.nanoTime();
                cpu = cpuNanos();
                Snapshot back = store.read(ref);
                read.add(megabytes / seconds(start));
                readCpu.add((cpuNanos() - cpu) / 1e9);
                if (back.roots().get(0).data().length != state.length) {
                    throw new AssertionError("read back " + back.roots().get(0).data().length + " bytes");
                }
            }
        }
        System.out.printf("dd write (conv=fsync)     %8.0f MB/s%n", median(ddWrite));
        System.out.printf("checkpoint write          %8.0f MB/s  (%.0f%% of dd; %d MB stored for %d MB)%n",
                median(write), 100 * median(write) / median(ddWrite), stored >> 20, megabytes);
        System.out.printf("checkpoint write, CPU     %8.2f s of all threads (%.0f MB per CPU-second)%n",
                median(writeCpu), megabytes / median(writeCpu));
        System.out.printf("dd read                   %8.0f MB/s%n", median(ddRead));
        System.out.printf("restore read (verified)   %8.0f MB/s  (%.0f%% of dd)%n",
                median(read), 100 * median(read) / median(ddRead));
        System.out.printf("restore read, CPU         %8.2f s of all threads (%.0f MB per CPU-second)%n",
                median(readCpu), megabytes / median(readCpu));
        for (int places : new int[] {100, 10_000}) {
            incremental("1% changed in " + String.format("%,6d", places) + " places", dir, root(state),
                    root(changedInPlaces(state, places)));
        }
        // every chunk new: what reading back bases that no delta can use costs a checkpoint
        incremental("every byte changed", dir, root(state), root(state(state.length, 2)));
        int mapMegabytes = Math.min(megabytes, 100); // Kryo's Output holds at most 1 GB
        Root[] map = mapStates(mapMegabytes);
        incremental("HashMap<Integer, byte[1000]> of " + mapMegabytes + " MB, 1% of the keys", dir, map[0], map[1]);
        delete(dir);
    }

    /**
     * Writes {@code first}, then {@code second}, to a new store and prints what the second wrote
     * (its pack and its manifest) against the first, and the first's manifest against the state.
     */
    private static void incremental(String what, Path dir, Root first, Root second) throws IOException {
        delete(dir);
        long firstNanos;
        long secondNanos;
        try (FileSnapshotStore store = FileSnapshotStore.openForWriting(dir.resolve("store"))) {
            long start = System.nanoTime();
            store.write(snapshot(1, first));
            firstNanos = System.nanoTime() - start;
            start = System.nanoTime();
            store.write(snapshot(2, second)); // its changed chunks' bases read back: the time says what that costs
            secondNanos = System.nanoTime() - start;
        }
        long firstManifest = Files.size(dir.resolve("store/manifests/snapshot-0000000000000001.json"));
        long firstBytes = Files.size(dir.resolve("store/packs/pack-0000000000000001.pack")) + firstManifest;
        Path pack = dir.resolve("store/packs/pack-0000000000000002.pack");
        long secondManifest = Files.size(dir.resolve("store/manifests/snapshot-0000000000000002.json"));
        long secondBytes = (Files.exists(pack) ? Files.size(pack) : 0) + secondManifest;
        System.out.printf("%s: second checkpoint wrote %,d bytes (manifest %,d), %.1f%% of the first's %,d;"
                        + " first manifest %,d bytes, %.2f%% of the state; written in %d ms, the first in %d ms%n", what,
                secondBytes, secondManifest, 100.0 * secondBytes / firstBytes, firstBytes, firstManifest,
                100.0 * firstManifest / first.data().length, secondNanos / 1_000_000, firstNanos / 1_000_000);
    }

    /** A copy of {@code state} with 1 % of it replaced by new records, in {@code places} pieces spread evenly. */
    static byte[] changedInPlaces(byte[] state, int places) {
        byte[] changed = state.clone();
        byte[] fresh = state(state.length / 100, 2);
        int piece = fresh.length / places;
        for (int i = 0; i < places; i++) {
            System.arraycopy(fresh, i * piece, changed, (int) ((long) i * state.length / places), piece);
        }
        return changed;
    }

    /**
     * A {@code HashMap<Integer, byte[1000]>} of about {@code megabytes} MB of random values, serialized
     * as a checkpoint does (Kryo with references), before and after 1 % of its
     * keys, at random, got new values.
     */
    static Root[] mapStates(int megabytes) {
        Kryo kryo = SnapshotKryo.create(StoreThroughput.class.getClassLoader(), AllowedClasses.jdk());
        Random random = new Random(3);
        int entries = (int) ((long) megabytes << 20) / 1000;
        HashMap<Integer, byte[]> map = new HashMap<>();
        for (int i = 0; i < entries; i++) {
            byte[] value = new byte[1000];
            random.nextBytes(value);
            map.put(i, value);
        }
        Root before = serialize(kryo, map);
        for (int i = 0; i < entries / 100; i++) {
            byte[] value = new byte[1000];
            random.nextBytes(value);
            map.put(random.nextInt(entries), value);
        }
        return new Root[] {before, serialize(kryo, map)};
    }

    private static Root serialize(Kryo kryo, Object value) {
        try (Output output = new Output(1 << 20, -1)) {
            byte[] data = ValueGraph.write(kryo, output, List.of(value));
            return new Root(Root.Kind.STATIC, "com.acme.State", null, List.of("data"), data);
        }
    }

    private static Root root(byte[] data) {
        return new Root(Root.Kind.STATIC, "com.acme.State", null, List.of("data"), data);
    }

    private static Snapshot snapshot(long sequence, byte[] data) {
        return snapshot(sequence, root(data));
    }

    private static Snapshot snapshot(long sequence, Root root) {
        return new Snapshot(sequence, Instant.now(), "benchmark", 0, List.of(root));
    }

    /** A key as {@code openssl rand -hex 32} makes one, read as the agent reads {@code encryption-key=FILE}. */
    private static StoreKey randomKey() throws IOException {
        byte[] master = new byte[32];
        new java.security.SecureRandom().nextBytes(master);
        Path file = Files.createTempFile("stasis-bench-key", "");
        try {
            Files.writeString(file, java.util.HexFormat.of().formatHex(master));
            return StoreKey.read(file);
        } finally {
            Files.delete(file);
        }
    }

    /** Records like a serialized map of accounts: ids, names, amounts; compressible about 2:1. */
    static byte[] state(int size, long seed) {
        Random random = new Random(seed);
        byte[] data = new byte[size];
        int at = 0;
        while (at < size) {
            byte[] record = ("acct-" + random.nextInt(10_000_000) + "|owner-" + Long.toHexString(random.nextLong())
                    + "|" + random.nextInt(1_000_000) + "." + random.nextInt(100) + ";").getBytes(StandardCharsets.US_ASCII);
            int n = Math.min(record.length, size - at);
            System.arraycopy(record, 0, data, at, n);
            at += n;
        }
        return data;
    }

    /** Runs dd and returns the MB/s it reports (its last line: "... copied, 1.23 s, 456 MB/s"). */
    private static double dd(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("dd"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        process.waitFor();
        String last = output.substring(output.lastIndexOf('\n') + 1);
        String[] parts = last.split(",");
        double secondsTaken = Double.parseDouble(parts[parts.length - 2].trim().split(" ")[0]);
        double bytes = Double.parseDouble(last.split(" ")[0]);
        return bytes / (1 << 20) / secondsTaken;
    }

    /**
     * CPU time of the whole process (every thread, the collector's and the compiler's too): on a
     * machine that others load, what a write costs is read here better than in its elapsed time.
     */
    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    private static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path path : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
