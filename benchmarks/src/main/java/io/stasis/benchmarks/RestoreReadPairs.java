package io.stasis.benchmarks;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import io.stasis.kryo.ValueGraph;
import java.util.Arrays;
import java.util.Locale;

/**
 * {@link RestoreReadBenchmark}'s two reads of one graph, alternated in one JVM: restore, raw Kryo,
 * restore, raw Kryo, ..., each call timed. On a machine whose load moves by the second, the two
 * reads of a pair see the same load, so the median of the per-pair ratios is steadier than the
 * ratio of two JMH runs made minutes apart (which JMH's separate forks are). The price: both
 * configurations share one JIT profile of Kryo.
 *
 * <p>Usage: {@code java -Xms4g -Xmx4g -cp benchmarks.jar io.stasis.benchmarks.RestoreReadPairs
 * GRAPH WARMUP_PAIRS PAIRS [authenticated]}, with a graph named as in {@link RestoreReadBenchmark};
 * with {@code authenticated}, the restore reads as for a snapshot its store's key authenticated
 * ({@code ValueGraph.readAuthenticated}); with {@code tree-first}, as for a snapshot whose writer
 * did not say whether the root shares objects ({@code ValueGraph.read}, whatever it shares).
 */
public final class RestoreReadPairs {

    private RestoreReadPairs() {
    }

    public static void main(String[] args) {
        String graph = args[0];
        int warmup = Integer.parseInt(args[1]);
        int pairs = Integer.parseInt(args[2]);
        boolean authenticated = args.length > 3 && args[3].equals("authenticated");
        boolean treeFirst = args.length > 3 && args[3].equals("tree-first");
        RestoreReadBenchmark.Encoded encoded = RestoreReadBenchmark.Encoded.of(RestoreReadBenchmark.graph(graph));
        Kryo snapshot = encoded.snapshot();
        byte[] snapshotBytes = encoded.snapshotBytes();
        Kryo raw = encoded.raw();
        byte[] rawBytes = encoded.rawBytes();
        Input input = new Input();
        long[] restore = new long[pairs];
        long[] rawKryo = new long[pairs];
        double[] ratios = new double[pairs];
        long sink = 0;
        for (int i = -warmup; i < pairs; i++) {
            long start = System.nanoTime();
            sink += (authenticated ? ValueGraph.readAuthenticated(snapshot, snapshotBytes, 1)
                    : treeFirst ? ValueGraph.read(snapshot, snapshotBytes, 1) : encoded.restore()).size();
            long middle = System.nanoTime();
            input.setBuffer(rawBytes);
            sink += System.identityHashCode(raw.readClassAndObject(input)) & 1;
            long end = System.nanoTime();
            if (i >= 0) {
                restore[i] = middle - start;
                rawKryo[i] = end - middle;
                ratios[i] = (double) restore[i] / rawKryo[i];
            }
        }
        System.out.printf(Locale.ROOT, "%s%s: %d pairs after %d; bytes restore %d, rawKryo %d; restore median %.2f ms,"
                        + " rawKryo median %.2f ms, ratio of medians %.2f, median of pair ratios %.2f (%d)%n",
                graph, authenticated ? " (authenticated)" : treeFirst ? " (tree-first)" : "", pairs, warmup, snapshotBytes.length, rawBytes.length, median(restore) / 1e6,
                median(rawKryo) / 1e6, (double) median(restore) / median(rawKryo), median(ratios), sink % 2);
    }

    private static long median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
