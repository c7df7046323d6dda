package io.stasis.agent.internal.store;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Content-defined chunking (a gear rolling hash with normalized boundaries, as in FastCDC): a
 * boundary depends only on the bytes just before it, so an insertion or a changed value moves the
 * boundaries around it and no others, and unchanged stretches of a root's data keep their chunks
 * from one snapshot to the next. Chunks are 1 KiB to 64 KiB, about 4 KiB on average: a changed spot
 * rewrites about 5 KiB (against 20 KiB at 16 KiB chunks; 2 KiB chunks would halve it again but
 * double the index), and a gigabyte is some 260,000 chunks (docs/benchmarks.md §5).
 *
 * <p>Where the serializer said where entries start (a map of large values, say), a chunk may also
 * end at an entry's start, from 960 bytes on: there with even odds (by a hash of the bytes before
 * it), and at the first start past 1.5 KiB always. A changed entry of a kilobyte then rewrites
 * about 2.3 KB instead of 8.6 KB (ChunkerTest's case), for some three times as many chunks where
 * entries are that small; data without such starts is cut exactly as before.
 */
final class Chunker {

    static final int MIN = 1 << 10;
    static final int AVERAGE = 4 << 10;
    static final int MAX = 64 << 10;
    /** The least chunk that ends at an entry's start: just under 1 KiB, so an entry of a kilobyte and its framing may be one. */
    static final int ENTRY_MIN = 960;
    /** From this size on, a chunk ends at the first entry start. */
    static final int ENTRY_ALWAYS = 1536;
    /** The bytes before an entry's start whose hash decides a cut there. */
    private static final int ENTRY_WINDOW = 32;

    /** Harder to match before the average size, easier after it: sizes cluster around it. */
    private static final long MASK_BEFORE = mask(14);
    private static final long MASK_AFTER = mask(10);
    private static final long MASK_ENTRY = mask(1);
    private static final long[] GEAR = new long[256];
    private static final int[] NO_ENTRIES = new int[0];

    static {
        SplittableRandom random = new SplittableRandom(0x5_7a5_15L); // fixed: boundaries never change between versions
        for (int i = 0; i < GEAR.length; i++) {
            GEAR[i] = random.nextLong();
        }
    }

    private Chunker() {
    }

    /** {@link #boundaries(byte[], int[], int, int)} for data whose entries are not known. */
    static int[] boundaries(byte[] data, int start, int count) {
        return boundaries(data, NO_ENTRIES, start, count);
    }

    /**
     * The ends (exclusive) of at most {@code count} chunks of {@code data} from {@code start}, which
     * is a boundary, in order; one chunk for small data. Cut batch by batch, so that a writer cuts
     * the next batch while the last one is encoded; the boundaries do not depend on the batches.
     *
     * @param entryStarts where entries start in {@code data}, ascending; positions outside it are ignored
     */
    static int[] boundaries(byte[] data, int[] entryStarts, int start, int count) {
        int[] ends = new int[count];
        int found = 0;
        int entry = firstAfter(entryStarts, start);
        while (found < count && start < data.length) {
            start = next(data, start, entryStarts, entry);
            ends[found++] = start;
            while (entry < entryStarts.length && entryStarts[entry] <= start) {
                entry++;
            }
        }
        return found == count ? ends : Arrays.copyOf(ends, found);
    }

    private static int next(byte[] data, int start, int[] entryStarts, int entry) {
        int length = data.length - start;
        if (length <= MIN) {
            return data.length;
        }
        int limit = start + Math.min(MAX, length);
        return contentCut(data, start, entryCut(data, start, limit, entryStarts, entry));
    }

    /** The first entry start where a chunk from {@code start} ends, or {@code limit}. */
    private static int entryCut(byte[] data, int start, int limit, int[] entryStarts, int entry) {
        for (int e = entry; e < entryStarts.length && entryStarts[e] < limit; e++) {
            int at = entryStarts[e];
            int size = at - start;
            if (size >= ENTRY_ALWAYS || size >= ENTRY_MIN && (hashBefore(data, at) & MASK_ENTRY) == 0) {
                return at;
            }
        }
        return limit;
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

    private static long hashBefore(byte[] data, int at) {
        long hash = 0;
        for (int i = at - ENTRY_WINDOW; i < at; i++) {
            hash = (hash << 1) + GEAR[data[i] & 0xFF];
        }
        return hash;
    }

    /** The index of the first of the ascending {@code positions} after {@code start}. */
    private static int firstAfter(int[] positions, int start) {
        int found = Arrays.binarySearch(positions, start);
        if (found < 0) {
            return -found - 1;
        }
        while (found < positions.length && positions[found] <= start) {
            found++;
        }
        return found;
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
