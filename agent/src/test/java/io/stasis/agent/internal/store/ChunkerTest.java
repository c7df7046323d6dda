package io.stasis.agent.internal.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ChunkerTest {

    private static final int ENTRY = 1000;

    /**
     * Chunks are named by content, so a version that cut elsewhere would store everything anew
     * after an upgrade: the boundaries of these inputs are those every writer of format 3 has cut,
     * where no entry starts are known (random bytes, text of four letters, zeros with a little noise
     * every kilobyte, and mostly zeros).
     */
    @Test
    void cutsWhereEveryWriterOfFormatThreeCut() {
        String[] expected = {"896 7d9059eb", "902 c2f470d7", "193 946a4644", "892 f6624bcf"};
        for (int kind = 0; kind < expected.length; kind++) {
            SplittableRandom random = new SplittableRandom(11 + kind);
            byte[] data = new byte[4 << 20];
            for (int i = 0; i < data.length; i++) {
                data[i] = switch (kind) {
                    case 0 -> (byte) random.nextInt(256);
                    case 1 -> (byte) ('a' + random.nextInt(4));
                    case 2 -> i % 1000 < 990 ? 0 : (byte) random.nextInt(256);
                    default -> (byte) (random.nextInt(100) < 90 ? 0 : random.nextInt(256));
                };
            }
            int[] ends = Chunker.boundaries(data, 0, data.length);
            java.util.zip.CRC32 crc = new java.util.zip.CRC32();
            crc.update(toBytes(ends));
            assertEquals(expected[kind], ends.length + " " + String.format("%08x", crc.getValue()), "input " + kind);
        }
    }

    private static byte[] toBytes(int[] values) {
        ByteBuffer bytes = ByteBuffer.allocate(4 * values.length);
        bytes.asIntBuffer().put(values);
        return bytes.array();
    }

    /** A writer cutting batch after batch gets the very boundaries of cutting all at once. */
    @Test
    void batchesCutTheSameBoundariesAsTheWhole() {
        byte[] data = random(3 << 20, 7);
        for (int[] entryStarts : new int[][] {new int[0], entryStarts(data.length)}) {
            for (int count : new int[] {1, 7, 256, 100_000}) {
                List<Integer> batched = new ArrayList<>();
                int start = 0;
                for (int[] batch = Chunker.boundaries(data, entryStarts, 0, count); batch.length > 0;
                        batch = Chunker.boundaries(data, entryStarts, start, count)) {
                    for (int end : batch) {
                        batched.add(end);
                    }
                    start = batch[batch.length - 1];
                }
                List<Integer> whole = new ArrayList<>();
                for (int end : Chunker.boundaries(data, entryStarts, 0, data.length)) { // never more chunks than bytes
                    whole.add(end);
                }
                assertEquals(whole, batched);
            }
        }
        assertEquals(0, Chunker.boundaries(new byte[0], 0, 256).length);
        assertEquals(1, Chunker.boundaries(new byte[10], 0, 256).length);
    }

    /** Entry starts beyond the data, unsorted or repeated are ignored, never a crash or a chunk past the end. */
    @Test
    void entryStartsOutsideTheDataAreIgnored() {
        byte[] data = random(200_000, 3);
        int[] odd = {-5, 0, 700, 700, 90_000, 1_500, 199_999, 200_000, 400_000, Integer.MAX_VALUE};
        int[] ends = Chunker.boundaries(data, odd, 0, data.length);
        assertEquals(data.length, ends[ends.length - 1]);
        for (int i = 1; i < ends.length; i++) {
            assertTrue(ends[i] > ends[i - 1]);
        }
        int[] outside = {-5, 0, data.length, 400_000, Integer.MAX_VALUE};
        assertArrayEquals(Chunker.boundaries(data, 0, data.length), Chunker.boundaries(data, outside, 0, data.length),
                "starts at or outside the data's ends change nothing");
    }

    /**
     * One changed entry of 1,000 bytes among 4,000: with the entries' starts known, the chunks not
     * stored before add up to about its own size; without them, to the 4 KiB or so around it.
     */
    @Test
    void aChangedEntryRewritesAboutItselfWhenEntriesAreKnown() {
        byte[] data = random(4000 * ENTRY, 11);
        int[] starts = entryStarts(data.length);
        long withStarts = 0;
        long without = 0;
        SplittableRandom random = new SplittableRandom(5);
        int changes = 200;
        for (int i = 0; i < changes; i++) {
            byte[] changed = data.clone();
            System.arraycopy(random(ENTRY, 100 + i), 0, changed, random.nextInt(4000) * ENTRY, ENTRY);
            withStarts += newBytes(data, changed, starts);
            without += newBytes(data, changed, new int[0]);
        }
        double perChangeWith = (double) withStarts / changes;
        double perChangeWithout = (double) without / changes;
        assertTrue(perChangeWith < 2.5 * ENTRY, perChangeWith + " bytes rewritten a change");
        assertTrue(perChangeWithout > 2 * perChangeWith, perChangeWithout + " against " + perChangeWith);
    }

    /** Cut again with its own chunks' ends as the entry starts, data is cut exactly as it was: how a root read back is written again. */
    @Test
    void theEndsOfItsChunksCutDataAgainAsBefore() {
        byte[] data = random(3 << 20, 13);
        for (int[] entryStarts : new int[][] {new int[0], entryStarts(data.length),
                IntStream.iterate(300, at -> at < data.length, at -> at + 300).toArray()}) {
            int[] ends = Chunker.boundaries(data, entryStarts, 0, data.length);
            int[] again = Chunker.boundaries(data, Arrays.copyOf(ends, ends.length - 1), 0, data.length);
            assertArrayEquals(ends, again);
        }
    }

    /** The bytes of the chunks of {@code after} that {@code before} does not have. */
    private static long newBytes(byte[] before, byte[] after, int[] entryStarts) {
        Set<ByteBuffer> known = new HashSet<>(chunks(before, entryStarts));
        return chunks(after, entryStarts).stream().filter(chunk -> !known.contains(chunk))
                .mapToLong(ByteBuffer::remaining).sum();
    }

    private static List<ByteBuffer> chunks(byte[] data, int[] entryStarts) {
        List<ByteBuffer> chunks = new ArrayList<>();
        int start = 0;
        for (int end : Chunker.boundaries(data, entryStarts, 0, data.length)) {
            chunks.add(ByteBuffer.wrap(Arrays.copyOfRange(data, start, end)));
            start = end;
        }
        return chunks;
    }

    private static int[] entryStarts(int length) {
        return IntStream.iterate(ENTRY, at -> at < length, at -> at + ENTRY).toArray();
    }

    private static byte[] random(int size, long seed) {
        byte[] data = new byte[size];
        new SplittableRandom(seed).nextBytes(data);
        return data;
    }
}
