package io.stasis.agent.internal.store;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Content-defined chunking (a gear rolling hash with normalized boundaries, as in FastCDC): a
 * boundary depends only on the bytes just before it, so an insertion or a changed value moves the
 * boundaries around it and no others, and unchanged stretches of a root's data keep their chunks
 * from one snapshot to the next. Chunks are 4 KiB to 64 KiB, about 16 KiB on average (format 4;
 * format 3 cut 1 KiB to 64 KiB around 4 KiB, and at the starts of large entries): a changed spot
 * costs the store a delta of about its own size ({@link ChunkDelta}) rather than the chunk around
 * it, so chunks can be large, and a gigabyte is some 65,000 chunks whose names and places take
 * about 0.3 % of it in a full manifest (docs/benchmarks.md §5).
 */
final class Chunker {

    static final int MIN = 4 << 10;
    static final int AVERAGE = 16 << 10;
    static final int MAX = 64 << 10;

    /** Harder to match before the average size, easier after it: sizes cluster around it. */
    private static final long MASK_BEFORE = mask(16);
    private static final long MASK_AFTER = mask(12);
    private static final long[] GEAR = new long[256];

    static {
        SplittableRandom random = new SplittableRandom(0x5_7a5_15L); // fixed: boundaries never change between versions
        for (int i = 0; i < GEAR.length; i++) {
            GEAR[i] = random.nextLong();
        }
    }

    private Chunker() {
    }

    /**
     * The ends (exclusive) of at most {@code count} chunks of {@code data} from {@code start}, which
     * is a boundary, in order; one chunk for small data. Cut batch by batch, so that a writer cuts
     * the next batch while the last one is encoded; the boundaries do not depend on the batches.
     */
    static int[] boundaries(byte[] data, int start, int count) {
        int[] ends = new int[count];
        int found = 0;
        while (found < count && start < data.length) {
            int length = data.length - start;
            start = length <= MIN ? data.length : contentCut(data, start, start + Math.min(MAX, length));
            ends[found++] = start;
        }
        return found == count ? ends : Arrays.copyOf(ends, found);
    }

    /** The first content-defined boundary after {@code start}, or {@code limit}. */
    private static int contentCut(byte[] data, int start, int limit) {
        int normal = Math.min(start + AVERAGE, limit);
        long hash = 0;
        int i = start + MIN;
        for (; i < normal; i++) {
            hash = (hash << 1) + GEAR[data[i] & 0xFF];
            if ((hash & MASK_BEFORE) == 0) {
                return i + 1;
            }
        }
        for (; i < limit; i++) {
            hash = (hash << 1) + GEAR[data[i] & 0xFF];
            if ((hash & MASK_AFTER) == 0) {
                return i + 1;
            }
        }
        return limit;
    }

    /** A mask of {@code bits} bits spread over the hash's upper half, where the gear hash mixes best. */
    private static long mask(int bits) {
        long mask = 0;
        for (int i = 0; i < bits; i++) {
            mask |= 1L << (63 - 2 * i);
        }
        return mask;
    }
}
