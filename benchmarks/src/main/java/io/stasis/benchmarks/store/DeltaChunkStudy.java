package io.stasis.benchmarks.store;

import io.stasis.agent.internal.store.Root;
import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;

/**
 * The design study behind the store's format 4, not a measurement of the store: what a second
 * checkpoint would store, against the first, if each new chunk were stored whole (as format 3
 * did) or as a delta against the first snapshot's bytes at the same place in the root, for
 * average chunk sizes of 4, 8 and 16 KiB, and how large a full manifest would be.
 *
 * <p>It models the store rather than running it: the same gear hash and normalized cuts as
 * {@code Chunker} (a copy here, with the average as a parameter), each stored piece
 * LZ4-compressed with 9 bytes of framing, a chunk table entry of
 * 41 bytes in Base64 (format 3), a delta entry of twice that (the chunk and its base). A delta
 * holds the runs that differ (gaps under 16 bytes merged, 4 bytes of header each) where the
 * chunk's length is unchanged, else the part between the common prefix and suffix.
 *
 * <pre>java -Xmx12g -cp benchmarks/target/benchmarks.jar io.stasis.benchmarks.store.DeltaChunkStudy MB [map]</pre>
 *
 * The states are {@link StoreThroughput}'s: 1 % changed in 100 and in 10,000 places, or with
 * {@code map} its {@code HashMap<Integer, byte[1000]>} with 1 % of the keys changed.
 */
public final class DeltaChunkStudy {

    private static final int[] AVERAGES = {4 << 10, 8 << 10, 16 << 10};
    private static final int MAX = 64 << 10;
    private static final int FRAMING = 9;
    private static final double TABLE_ENTRY = 41.0 * 4 / 3;
    private static final int DELTA_HEADER = 8;
    private static final int RUN_HEADER = 4;
    private static final int RUN_GAP = 16;
    private static final long[] GEAR = new long[256];

    static {
        SplittableRandom random = new SplittableRandom(0x5_7a5_15L); // Chunker's seed
        for (int i = 0; i < GEAR.length; i++) {
            GEAR[i] = random.nextLong();
        }
    }

    private final LZ4Compressor lz4 = LZ4Factory.safeInstance().fastCompressor();
    private final MessageDigest sha256;

    private DeltaChunkStudy() throws NoSuchAlgorithmException {
        sha256 = MessageDigest.getInstance("SHA-256");
    }

    public static void main(String[] args) throws NoSuchAlgorithmException {
        int megabytes = Integer.parseInt(args[0]);
        DeltaChunkStudy study = new DeltaChunkStudy();
        if (args.length > 1 && args[1].equals("map")) {
            Root[] map = StoreThroughput.mapStates(megabytes);
            study.compare(megabytes + " MB map, 1% of the keys", map[0].data(), map[1].data());
            return;
        }
        byte[] state = StoreThroughput.state(megabytes << 20, 1);
        for (int places : new int[] {100, 10_000}) {
            study.compare(String.format("%d MB, 1%% in %,d places", megabytes, places), state,
                    StoreThroughput.changedInPlaces(state, places));
        }
    }

    private void compare(String what, byte[] first, byte[] second) {
        for (int average : AVERAGES) {
            int[] firstEnds = cut(first, average);
            int[] secondEnds = cut(second, average);
            Set<String> stored = new HashSet<>();
            long firstBytes = 0;
            int start = 0;
            for (int end : firstEnds) {
                stored.add(identity(first, start, end));
                firstBytes += compressed(first, start, end);
                start = end;
            }
            long whole = 0;
            long deltas = 0;
            int added = 0;
            start = 0;
            for (int end : secondEnds) {
                if (!stored.contains(identity(second, start, end))) {
                    added++;
                    whole += compressed(second, start, end);
                    deltas += delta(first, second, start, end);
                }
                start = end;
            }
            System.out.printf("%s, %2d KiB chunks: %,d chunks, %,d new; whole chunks %.2f%% of the first"
                            + " (manifest included %.2f%%); deltas %.2f%% (%.2f%%); full manifest %.2f%% of the state%n",
                    what, average >> 10, secondEnds.length, added,
                    100.0 * whole / firstBytes, 100.0 * (whole + added * TABLE_ENTRY) / firstBytes,
                    100.0 * deltas / firstBytes, 100.0 * (deltas + added * 2 * TABLE_ENTRY) / firstBytes,
                    100.0 * secondEnds.length * TABLE_ENTRY / second.length);
        }
    }

    /** The stored size of {@code second[start, end)} as a delta against {@code first} at the same place. */
    private long delta(byte[] first, byte[] second, int start, int end) {
        int shift = first.length - second.length;
        int length = end - start;
        int prefix = 0;
        while (prefix < length && start + prefix < first.length && second[start + prefix] == first[start + prefix]) {
            prefix++;
        }
        int suffix = 0;
        while (suffix < length - prefix && end - 1 - suffix + shift >= 0
                && second[end - 1 - suffix] == first[end - 1 - suffix + shift]) {
            suffix++;
        }
        if (prefix + suffix == length) {
            return DELTA_HEADER;
        }
        if (shift != 0) {
            return DELTA_HEADER + compressed(second, start + prefix, end - suffix);
        }
        ByteArrayOutputStream runs = new ByteArrayOutputStream();
        int headers = 0;
        for (int i = start + prefix; i < end - suffix; ) {
            if (second[i] == first[i]) {
                i++;
                continue;
            }
            int at = i;
            int same = 0;
            while (i < end - suffix && same < RUN_GAP) {
                same = second[i] == first[i] ? same + 1 : 0;
                i++;
            }
            runs.write(second, at, i - same - at);
            headers += RUN_HEADER;
        }
        byte[] changed = runs.toByteArray();
        return DELTA_HEADER + headers + compressed(changed, 0, changed.length);
    }

    private long compressed(byte[] data, int from, int to) {
        byte[] block = new byte[lz4.maxCompressedLength(to - from)];
        return FRAMING + lz4.compress(data, from, to - from, block, 0, block.length);
    }

    /** The chunk's name, as a store without a key names it: the SHA-256 of its content. */
    private String identity(byte[] data, int from, int to) {
        sha256.update(data, from, to - from);
        return HexFormat.of().formatHex(sha256.digest());
    }

    /** {@code Chunker}'s cuts (minimum a quarter of the average, 64 KiB maximum) for another average. */
    private static int[] cut(byte[] data, int average) {
        int min = average / 4;
        int bits = Integer.numberOfTrailingZeros(average);
        long maskBefore = mask(bits + 2);
        long maskAfter = mask(bits - 2);
        List<Integer> ends = new ArrayList<>();
        int start = 0;
        while (start < data.length) {
            int length = data.length - start;
            int end = length <= min ? data.length : cutAfter(data, start, min, average, maskBefore, maskAfter);
            ends.add(end);
            start = end;
        }
        return ends.stream().mapToInt(Integer::intValue).toArray();
    }

    private static int cutAfter(byte[] data, int start, int min, int average, long maskBefore, long maskAfter) {
        int limit = start + Math.min(MAX, data.length - start);
        int normal = Math.min(start + average, limit);
        long hash = 0;
        for (int i = start + min; i < limit; i++) {
            hash = (hash << 1) + GEAR[data[i] & 0xFF];
            if ((hash & (i < normal ? maskBefore : maskAfter)) == 0) {
                return i + 1;
            }
        }
        return limit;
    }

    private static long mask(int bits) {
        long mask = 0;
        for (int i = 0; i < bits; i++) {
            mask |= 1L << (63 - 2 * i);
        }
        return mask;
    }
}
