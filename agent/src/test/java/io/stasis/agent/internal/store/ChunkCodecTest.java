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
                byte[] stored = encode(codec, name, content, false);
                assertArrayEquals(content, decode(codec, name, stored, length), "length " + length);
            }
        }
    }

    @Test
    void aChunkNamedAndEncodedInPlaceIsTheChunkCopiedOut() throws Exception {
        byte[] data = FileSnapshotStoreTest.state(3 * Chunker.MAX, 5);
        ChunkCodec sealed = new ChunkCodec(StoreKey.of(new byte[32]));
        ChunkCodec.Coder plain = ChunkCodec.PLAIN_CODEC.coder();
        ChunkCodec.Coder sealing = sealed.coder();
        for (int from : new int[] {0, 1, 4095, Chunker.MAX}) {
            for (int length : LENGTHS) {
                byte[] copy = Arrays.copyOfRange(data, from, from + length);
                for (boolean compress : new boolean[] {false, true}) {
                    String name = plain.name(data, from, length);
                    assertEquals(ChunkCodec.PLAIN_CODEC.name(copy), name);
                    assertArrayEquals(encode(ChunkCodec.PLAIN_CODEC, name, copy, compress),
                            plain.encode(name, data, from, length, compress));
                    // sealed with a random nonce: equal once opened
                    String secret = sealing.name(data, from, length);
                    assertEquals(sealed.name(copy), secret);
                    assertArrayEquals(copy, decode(sealed, secret, sealing.encode(secret, data, from, length, compress), length));
                }
            }
        }
    }

    /** One coder keeps its digest, MAC and cipher from chunk to chunk: a chunk that fails leaves nothing behind. */
    @Test
    void aCoderDecodesChunkAfterChunkAndAfterOneThatFails() throws Exception {
        ChunkCodec sealed = new ChunkCodec(StoreKey.of(new byte[32]));
        Random random = new Random(11);
        for (ChunkCodec codec : new ChunkCodec[] {ChunkCodec.PLAIN_CODEC, sealed}) {
            ChunkCodec.Coder coder = codec.coder();
            for (int i = 0; i < 50; i++) {
                byte[] content = new byte[random.nextInt(5000)];
                random.nextBytes(content);
                String name = codec.name(content);
                byte[] stored = encode(codec, name, content, i % 2 == 0);
                if (i % 5 == 4) { // damaged: refused, and the next chunk decodes as if nothing had happened
                    byte[] damaged = stored.clone();
                    damaged[damaged.length - 1] ^= 1;
                    assertThrows(CorruptSnapshotException.class,
                            () -> coder.decode(name, damaged, 0, damaged.length, new byte[content.length], 0, content.length));
                }
                byte[] into = new byte[content.length + 3];
                coder.decode(name, stored, 0, stored.length, into, 3, content.length);
                assertArrayEquals(content, Arrays.copyOfRange(into, 3, into.length));
                assertEquals(name, coder.name(into, 3, content.length));
            }
        }
    }

    @Test
    void withoutCompressionTheStoredFormIsTheContentAndItsFraming() throws Exception {
        byte[] repetitive = new byte[Chunker.MAX];
        Arrays.fill(repetitive, (byte) 'a');
        String name = ChunkCodec.PLAIN_CODEC.name(repetitive);
        byte[] compressed = encode(ChunkCodec.PLAIN_CODEC, name, repetitive, true);
        byte[] literal = encode(ChunkCodec.PLAIN_CODEC, name, repetitive, false);
        assertTrue(compressed.length < 1000, compressed.length + " bytes");
        // form, length, token, 15 + 255 k + r, the bytes, CRC
        assertEquals(1 + 4 + 1 + (Chunker.MAX - 15) / 255 + 1 + Chunker.MAX + 4, literal.length);
        assertArrayEquals(repetitive, decode(ChunkCodec.PLAIN_CODEC, name, literal, repetitive.length));
    }

    @Test
    void aLiteralRunThatClaimsMoreThanTheBlockHoldsIsDamage() throws Exception {
        byte[] content = new byte[300];
        new Random(3).nextBytes(content);
        String name = ChunkCodec.PLAIN_CODEC.name(content);
        byte[] stored = encode(ChunkCodec.PLAIN_CODEC, name, content, false);
        // 300 literals: token 15, then 255 and 30; 230 instead of 30 runs past the block
        assertEquals(30, stored[7]);
        stored[7] = (byte) 230;
        // the CRC is fixed up, so that only the decompressor's own checks stand between
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(stored, 0, stored.length - 4);
        java.nio.ByteBuffer.wrap(stored).putInt(stored.length - 4, (int) crc.getValue());
        assertThrows(CorruptSnapshotException.class, () -> decode(ChunkCodec.PLAIN_CODEC, name, stored, content.length));
    }

    static byte[] encode(ChunkCodec codec, String name, byte[] content, boolean compress) {
        return codec.coder().encode(name, content, 0, content.length, compress);
    }

    /** The content of a stored chunk of {@code length} bytes, as the store reads it. */
    static byte[] decode(ChunkCodec codec, String name, byte[] stored, int length) throws CorruptSnapshotException {
        byte[] content = new byte[length];
        codec.coder().decode(name, stored, 0, stored.length, content, 0, length);
        return content;
    }
}
