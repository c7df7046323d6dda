package io.stasis.benchmarks.store;

import io.stasis.agent.internal.store.FileSnapshotStore;
import io.stasis.agent.internal.store.Root;
import io.stasis.agent.internal.store.S3Location;
import io.stasis.agent.internal.store.Snapshot;
import io.stasis.agent.internal.store.SnapshotRef;
import io.stasis.agent.internal.store.s3.S3Loader;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Checkpoint write and restore read of one state, to a local directory and to a bucket of an
 * S3-compatible server, in the same run. Each run writes to a fresh directory and a fresh prefix,
 * and reads back through a store opened afresh (as a new machine would). Credentials come from
 * the AWS default chain ({@code -Daws.accessKeyId=… -Daws.secretAccessKey=…}).
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.stasis.benchmarks.store.S3StoreThroughput DIR ENDPOINT BUCKET MB RUNS</pre>
 */
public final class S3StoreThroughput {

    private S3StoreThroughput() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        URI endpoint = URI.create(args[1]);
        String bucket = args[2];
        int megabytes = Integer.parseInt(args[3]);
        int runs = args.length > 4 ? Integer.parseInt(args[4]) : 3;
        byte[] state = StoreThroughput.state(megabytes << 20, 1);
        List<Double> localWrite = new ArrayList<>();
        List<Double> localRead = new ArrayList<>();
        List<Double> s3Write = new ArrayList<>();
        List<Double> s3Read = new ArrayList<>();
        for (int run = 0; run < runs; run++) {
            Path local = dir.resolve("run-" + System.nanoTime());
            S3Location remote = new S3Location(bucket, "bench/run-" + System.nanoTime(), endpoint, null, true);
            try (FileSnapshotStore store = FileSnapshotStore.openForWriting(local)) {
                localWrite.add(millis(() -> store.write(snapshot(state))));
            }
            try (FileSnapshotStore store = FileSnapshotStore.openForReading(local)) {
                localRead.add(millis(() -> check(store.read(store.list().get(0)), state)));
            }
            try (FileSnapshotStore store = FileSnapshotStore.openForWriting(S3Loader.open(remote), null, false)) {
                s3Write.add(millis(() -> store.write(snapshot(state))));
            }
            try (FileSnapshotStore store = FileSnapshotStore.openForReading(S3Loader.open(remote), null, false)) {
                s3Read.add(millis(() -> check(store.read(store.list().get(0)), state)));
            }
        }
        System.out.printf("state %d MB, %d runs, medians%n", megabytes, runs);
        System.out.printf("checkpoint write: local %6.0f ms, S3 %6.0f ms (%.0f%% of local speed)%n", median(localWrite),
                median(s3Write), 100 * median(localWrite) / median(s3Write));
        System.out.printf("restore read:     local %6.0f ms, S3 %6.0f ms (%.0f%% of local speed)%n", median(localRead),
                median(s3Read), 100 * median(localRead) / median(s3Read));
    }

    private interface Step {
        Object run() throws Exception;
    }

    private static double millis(Step step) throws Exception {
        long start = System.nanoTime();
        step.run();
        return (System.nanoTime() - start) / 1e6;
    }

    private static SnapshotRef check(Snapshot read, byte[] state) {
        if (!java.util.Arrays.equals(read.roots().get(0).data(), state)) {
            throw new AssertionError("read back other bytes");
        }
        return null;
    }

    private static Snapshot snapshot(byte[] data) {
        return new Snapshot(1, Instant.now(), "benchmark", 0, List.of(
                new Root(Root.Kind.STATIC, "com.acme.State", null, List.of("data"), data)));
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }
}
