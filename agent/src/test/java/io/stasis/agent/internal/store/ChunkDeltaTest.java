package io.stasis.agent.internal.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ChunkDeltaTest {

    private static byte[] apply(byte[] delta, byte[] base, int bytes) throws CorruptSnapshotException {
        byte[] content = new byte[bytes + 8];
        ChunkDelta.apply("c", delta, delta.length, base, content, 4, bytes);
        return Arrays.copyOfRange(content, 4, 4 + bytes);
    }

    /** Values changed in place, bytes inserted or removed: applied, each delta gives exactly the chunk. */
    @Test
    void everyChangeSmallEnoughRoundTripsAndTakesAboutItsOwnBytes() throws Exception {
        Random random = new Random(1);
        for (int n = 0; n < 2000; n++) {
            byte[] base = FileSnapshotStoreTest.state(1024 + random.nextInt(8 << 10), n);
            byte[] chunk = base.clone();
            int changed = 0;
            int spots = 1 + random.nextInt(4);
            for (int s = 0; s < spots; s++) {
                int length = 1 + random.nextInt(40);
                int at = random.nextInt(chunk.length - length);
                for (int i = 0; i < length; i++) {
                    chunk[at + i] ^= (byte) (1 + random.nextInt(255));
                }
                changed += length;
            }
            if (n % 3 == 1) { // an insertion: the rest of the chunk moves
                int at = random.nextInt(chunk.length);
                byte[] longer = new byte[chunk.length + 7];
                System.arraycopy(chunk, 0, longer, 0, at);
                System.arraycopy(chunk, at, longer, at + 7, chunk.length - at);
                chunk = longer;
            }
            byte[] data = new byte[chunk.length + 100];
            System.arraycopy(chunk, 0, data, 50, chunk.length);
            byte[] delta = ChunkDelta.encode(base, 0, data, 50, chunk.length);
            if (delta == null) {
                assertTrue(n % 3 == 1, "a change in place of " + changed + " bytes in " + base.length + " is stored whole");
                continue;
            }
            assertArrayEquals(chunk, apply(delta, base, chunk.length), "case " + n);
            if (n % 3 != 1) {
                assertTrue(delta.length <= changed + spots * 2 * (16 + 8) + 8, delta.length + " bytes for " + changed);
            }
        }
    }

    /** A boundary that moved: the chunk starts a few bytes into its base's place, or before it. */
    @Test
    void aChunkWhoseBoundaryMovedIsStoredAgainstItsPlace() throws Exception {
        byte[] place = FileSnapshotStoreTest.state(9000, 6);
        byte[] base = Arrays.copyOfRange(place, 500, 4500);
        for (int shift : new int[] {-37, -1, 1, 200}) {
            byte[] chunk = Arrays.copyOfRange(place, 500 + shift, 4300 + shift);
            chunk[1000] ^= 1;
            byte[] delta = ChunkDelta.encode(base, shift, chunk, 0, chunk.length);
            assertTrue(delta != null && delta.length < 64 + Math.abs(shift), "shift " + shift);
            assertArrayEquals(chunk, apply(delta, base, chunk.length));
        }
    }

    @Test
    void aChunkThatSharesLittleWithItsBaseIsStoredWhole() {
        byte[] base = new byte[4096];
        byte[] data = new byte[4096];
        new Random(2).nextBytes(base);
        new Random(3).nextBytes(data);
        assertNull(ChunkDelta.encode(base, 0, data, 0, data.length));
        System.arraycopy(base, 0, data, 0, 2100); // more than half the same
        assertNotNull(ChunkDelta.encode(base, 0, data, 0, data.length));
    }

    /** Bytes that are not a delta of this base and length: refused, never written outside their place. */
    @Test
    void damagedOrForgedDeltasAreRefusedWithinTheirPlace() throws Exception {
        byte[] base = FileSnapshotStoreTest.state(4096, 4);
        byte[] chunk = base.clone();
        chunk[100] ^= 1;
        chunk[3000] ^= 1;
        byte[] delta = ChunkDelta.encode(base, 0, chunk, 0, chunk.length);
        Random random = new Random(5);
        int refused = 0;
        for (int n = 0; n < 20_000; n++) {
            byte[] forged = n % 2 == 0 ? delta.clone() : new byte[1 + random.nextInt(40)];
            if (n % 2 == 0) {
                forged[random.nextInt(forged.length)] ^= (byte) (1 << random.nextInt(8));
            } else {
                random.nextBytes(forged);
            }
            byte[] content = new byte[4096 + 64];
            Arrays.fill(content, (byte) 7);
            try {
                ChunkDelta.apply("c", forged, forged.length, base, content, 32, 4096);
            } catch (CorruptSnapshotException e) {
                refused++;
            }
            for (int i = 0; i < 32; i++) {
                assertTrue(content[i] == 7 && content[content.length - 1 - i] == 7, "written outside its place");
            }
        }
        assertTrue(refused > 10_000, refused + " refused");
    }
}
