package io.stasis.agent.internal.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ChunkCodecTest {

    /** Around each place where the literal run's length takes another byte, and the largest chunk. */
    private static final int[] LENGTHS = {0, 1, 14, 15, 16, 269, 270, 271, 524, 525, 4096, Chunker.MAX};

    @Test
    void uncompressedChunksReadBackAsLz4BlocksOfLiteralsPlainAndEncrypted() throws Exception {
        Random random = new Random(7);
        for (ChunkCodec codec : new ChunkCodec[] {ChunkCodec.PLAIN_CODEC, new ChunkCodec(StoreKey.of(new byte[32]))}) {
            for (int length : LENGTHS) {
                byte[] content = new byte[length];
                random.nextBytes(content);
                String name = codec.name(content);
                byte[] stored = codec.encode(name, content, false);
                assertArrayEquals(content, codec.decode(name, stored), "length " + length);
            }
        }
    }

    @Test
    void withoutCompressionTheStoredFormIsTheContentAndItsFraming() throws Exception {
        byte[] repetitive = new byte[Chunker.MAX];
        Arrays.fill(repetitive, (byte) 'a');
        String name = ChunkCodec.PLAIN_CODEC.name(repetitive);
        byte[] compressed = ChunkCodec.PLAIN_CODEC.encode(name, repetitive, true);
        byte[] literal = ChunkCodec.PLAIN_CODEC.encode(name, repetitive, false);
        assertTrue(compressed.length < 1000, compressed.length + " bytes");
        // form, length, token, 15 + 255 k + r, the bytes, CRC
        assertEquals(1 + 4 + 1 + (Chunker.MAX - 15) / 255 + 1 + Chunker.MAX + 4, literal.length);
        assertArrayEquals(repetitive, ChunkCodec.PLAIN_CODEC.decode(name, literal));
    }

    @Test
    void aLiteralRunThatClaimsMoreThanTheBlockHoldsIsDamage() throws Exception {
        byte[] content = new byte[300];
        new Random(3).nextBytes(content);
        String name = ChunkCodec.PLAIN_CODEC.name(content);
        byte[] stored = ChunkCodec.PLAIN_CODEC.encode(name, content, false);
        // 300 literals: token 15, then 255 and 30; 230 instead of 30 runs past the block
        assertEquals(30, stored[7]);
        stored[7] = (byte) 230;
        // the CRC is fixed up, so that only the decompressor's own checks stand between
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(stored, 0, stored.length - 4);
        java.nio.ByteBuffer.wrap(stored).putInt(stored.length - 4, (int) crc.getValue());
        assertThrows(CorruptSnapshotException.class, () -> ChunkCodec.PLAIN_CODEC.decode(name, stored));
    }
}
