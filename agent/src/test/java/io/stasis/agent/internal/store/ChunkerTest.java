package io.stasis.agent.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ChunkerTest {

    /**
     * Chunks are named by content, so a version that cut elsewhere would store everything anew
     * after an upgrade: the boundaries of these inputs are those every writer of format 4 cuts
     * (random bytes, text of four letters, zeros with a little noise every kilobyte, and mostly zeros).
     */
    @Test
    void cutsWhereEveryWriterOfFormatFourCuts() {
        String[] expected = {"225 5c7f9f26", "224 13dbb441", "80 0ab79d6c", "222 e5b97bd4"};
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
        for (int count : new int[] {1, 7, 256, 100_000}) {
            List<Integer> batched = new ArrayList<>();
            int start = 0;
            for (int[] batch = Chunker.boundaries(data, 0, count); batch.length > 0;
                    batch = Chunker.boundaries(data, start, count)) {
                for (int end : batch) {
                    batched.add(end);
                }
                start = batch[batch.length - 1];
            }
            List<Integer> whole = new ArrayList<>();
            for (int end : Chunker.boundaries(data, 0, data.length)) { // never more chunks than bytes
                whole.add(end);
            }
            assertEquals(whole, batched);
        }
        assertEquals(0, Chunker.boundaries(new byte[0], 0, 256).length);
        assertEquals(1, Chunker.boundaries(new byte[10], 0, 256).length);
    }

    /** Every chunk but the last is 4 to 64 KiB, and they average about 16 KiB. */
    @Test
    void chunksAreBetweenTheirBoundsAndAboutTheAverage() {
        byte[] data = random(16 << 20, 9);
        int[] ends = Chunker.boundaries(data, 0, data.length);
        for (int i = 0, start = 0; i < ends.length - 1; start = ends[i++]) {
            int size = ends[i] - start;
            assertTrue(size >= Chunker.MIN && size <= Chunker.MAX, "chunk " + i + " has " + size + " bytes");
        }
        double average = (double) data.length / ends.length;
        assertTrue(average > 12 << 10 && average < 24 << 10, average + " bytes on average");
    }

    /** A changed spot changes the chunk around it and at most the boundaries next to it: the rest are stored already. */
    @Test
    void aChangedSpotChangesOnlyTheChunksAroundIt() {
        byte[] data = random(4 << 20, 11);
        Set<ByteBuffer> known = new HashSet<>(chunks(data));
        SplittableRandom random = new SplittableRandom(5);
        for (int n = 0; n < 100; n++) {
            byte[] changed = data.clone();
            int at = random.nextInt(data.length - 100);
            for (int i = 0; i < 100; i++) {
                changed[at + i] ^= (byte) (1 + random.nextInt(255));
            }
            long added = chunks(changed).stream().filter(chunk -> !known.contains(chunk)).count();
            assertTrue(added >= 1 && added <= 3, added + " chunks new for one changed spot");
        }
    }

    private static List<ByteBuffer> chunks(byte[] data) {
        List<ByteBuffer> chunks = new ArrayList<>();
        int start = 0;
        for (int end : Chunker.boundaries(data, 0, data.length)) {
            chunks.add(ByteBuffer.wrap(Arrays.copyOfRange(data, start, end)));
            start = end;
        }
        return chunks;
    }

    private static byte[] random(int size, long seed) {
        byte[] data = new byte[size];
        new SplittableRandom(seed).nextBytes(data);
        return data;
    }
}
