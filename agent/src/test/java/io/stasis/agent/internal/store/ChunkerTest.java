package io.stasis.agent.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ChunkerTest {

    /** A writer cutting batch after batch gets the very boundaries of cutting all at once. */
    @Test
    void batchesCutTheSameBoundariesAsTheWhole() {
        byte[] data = new byte[3 << 20];
        new SplittableRandom(7).nextBytes(data);
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
}
