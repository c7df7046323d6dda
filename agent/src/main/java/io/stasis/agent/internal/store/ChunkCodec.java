package io.stasis.agent.internal.store;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.zip.CRC32C;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;

/**
 * A chunk's name and stored form. The name is the SHA-256 of the content (HMAC-SHA-256 with the
 * store's naming key when encrypted), in hexadecimal. The stored form is an LZ4 block (written
 * natively where lz4-java's binding loads, see {@link NativeLz4}; always read in pure Java), then,
 * when encrypted, AES-256-GCM with a random nonce and the name as associated data, so a chunk
 * cannot be passed off under another name:
 *
 * <pre>
 * plain:      byte 0       int plainLength  lz4 block  int crc32c (of everything before it)
 * encrypted:  byte 1       byte[12] nonce   GCM(int plainLength  lz4 block) with a 16-byte tag
 * </pre>
 *
 * Decoding checks everything: the form, the lengths, the CRC or the tag (so that no stored bit
 * changes unnoticed, even one the decompressor would not notice), and that the content hashes to
 * its name.
 */
final class ChunkCodec {

    private static final byte PLAIN = 0;
    private static final byte ENCRYPTED = 1;
    private static final int NONCE = 12;
    private static final int TAG_BITS = 128;

    /** LZ4's bound (LZ4_COMPRESSBOUND), as its compressors compute it, without loading them. */
    private static int compressBound(int length) {
        return length + length / 255 + 16;
    }

    // Each made on first use, not when the store opens: they take milliseconds to tens of milliseconds, and
    // a JVM that only restores needs the first alone.
    private static final class Reading {
        /** The decompressor that checks its input: the fast one trusts it. */
        static final LZ4SafeDecompressor LZ4 = LZ4Factory.safeInstance().safeDecompressor();
    }

    private static final class Writing {
        /** Native past the first 16 MiB a JVM compresses, where loading it has paid for itself. */
        static final BlockCompressor LZ4 = new SwitchingCompressor(BlockCompressor.pureJava(), NativeLz4::orPureJava,
                16 << 20);
    }

    private static final class Sealing {
        static final SecureRandom RANDOM = new SecureRandom();
    }

    /**
     * The longest stored form of a chunk: the frame and the LZ4 bound of {@link Chunker#MAX}, plus
     * the nonce and tag when encrypted.
     */
    static final int MAX_STORED = 1 + NONCE + 4 + compressBound(Chunker.MAX) + TAG_BITS / 8
            + 4;
    /** The shortest: the frame of an empty chunk. */
    static final int MIN_STORED = 9;

    private final StoreKey key;
    /** Whether plain snapshots are read although there is a key (a store being migrated). */
    private final boolean acceptPlain;

    static final ChunkCodec PLAIN_CODEC = new ChunkCodec(null);

    /** @param key the store's key, or {@code null} for a store without encryption */
    ChunkCodec(StoreKey key) {
        this(key, false);
    }

    /**
     * @param acceptPlain read plain snapshots too although {@code key} is given, which nothing
     *     authenticates: only to migrate a store that was plain
     */
    ChunkCodec(StoreKey key, boolean acceptPlain) {
        this.key = key;
        this.acceptPlain = acceptPlain;
    }

    /** The id of the key, or {@code null} without encryption. */
    String keyId() {
        return key == null ? null : key.id();
    }

    /**
     * The codec for what was written with the key {@code keyId} ({@code null}: none). With a key,
     * plain snapshots are refused (anyone can compute their checksums) unless the codec accepts
     * them, to migrate a store written before encryption was switched on.
     *
     * @throws WrongKeyException if that is not this codec's key
     * @throws NotAuthenticatedException if {@code keyId} is {@code null}, this codec has a key and
     *     does not accept plain snapshots
     */
    ChunkCodec forKey(String keyId, String file) throws CorruptSnapshotException {
        if (keyId == null) {
            if (key != null && !acceptPlain) {
                throw new NotAuthenticatedException(file);
            }
            return PLAIN_CODEC;
        }
        if (key == null || !key.id().equals(keyId)) {
            throw new WrongKeyException(file, keyId, keyId());
        }
        return this;
    }

    /**
     * Names, encodes and decodes chunks for one thread at a time, keeping the digest, the MAC and the
     * cipher it needs from one chunk to the next: made anew for each chunk, they cost more than the
     * work itself (about 3.5 µs a 4 KiB chunk for AES-GCM's cipher).
     */
    Coder coder() {
        return new Coder();
    }

    /** The name of {@code content}, as a manifest's checksum; {@link #coder} names chunk after chunk. */
    String name(byte[] content) {
        return coder().name(content, 0, content.length);
    }

    /** The work of {@link ChunkCodec} for one thread at a time. */
    final class Coder {
        private MessageDigest sha256;
        private Mac naming;
        private Cipher cipher;

        private Coder() {
        }

        /** The name of the chunk that is {@code length} bytes of {@code data} from {@code from}. */
        String name(byte[] data, int from, int length) {
            byte[] hash;
            if (key != null) {
                if (naming == null) {
                    naming = key.namingMac();
                }
                naming.update(data, from, length);
                hash = naming.doFinal();
            } else {
                if (sha256 == null) {
                    sha256 = sha256();
                }
                sha256.update(data, from, length);
                hash = sha256.digest();
            }
            return HexFormat.of().formatHex(hash);
        }

        /**
         * The stored form of the chunk that is {@code length} bytes of {@code data} from {@code from},
         * made from the data in place: without compression or a key, one copy of the chunk.
         *
         * @param compress whether LZ4 looks for matches; without, the block holds the content as one run
         *     of literals, which costs a copy instead of about 5 ns a byte and is read the same way
         */
        byte[] encode(String name, byte[] data, int from, int length, boolean compress) {
            if (key == null && !compress) {
                byte[] stored = new byte[5 + literalsLength(length) + 4];
                ByteBuffer.wrap(stored).putInt(1, length);
                literalsOnly(data, from, length, stored, 5);
                return sealPlain(stored, stored.length - 4);
            }
            byte[] block = new byte[5 + compressBound(length)];
            ByteBuffer.wrap(block).putInt(1, length);
            int blockLength = 5 + (compress
                    ? Writing.LZ4.compress(data, from, length, block, 5, block.length - 5)
                    : literalsOnly(data, from, length, block, 5));
            return key == null ? sealPlain(Arrays.copyOf(block, blockLength + 4), blockLength) : seal(name, block, blockLength);
        }

        /** The encrypted form of the framed block in {@code block[0, blockLength)}, with the name as associated data. */
        private byte[] seal(String name, byte[] block, int blockLength) {
            try {
                byte[] nonce = new byte[NONCE];
                Sealing.RANDOM.nextBytes(nonce);
                Cipher cipher = cipher(Cipher.ENCRYPT_MODE, new GCMParameterSpec(TAG_BITS, nonce));
                cipher.updateAAD(name.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                byte[] stored = new byte[1 + NONCE + cipher.getOutputSize(blockLength - 1)];
                stored[0] = ENCRYPTED;
                System.arraycopy(nonce, 0, stored, 1, NONCE);
                int sealed = cipher.doFinal(block, 1, blockLength - 1, stored, 1 + NONCE);
                return sealed == stored.length - 1 - NONCE ? stored : Arrays.copyOf(stored, 1 + NONCE + sealed);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("AES-GCM is part of every JDK", e);
            }
        }

        /** The cipher, made the first time, initialized with the store's key for this chunk's nonce. */
        private Cipher cipher(int mode, GCMParameterSpec nonce) throws GeneralSecurityException {
            if (cipher == null) {
                cipher = Cipher.getInstance("AES/GCM/NoPadding");
            }
            cipher.init(mode, key.encryption(), nonce);
            return cipher;
        }

        /**
         * Decodes the chunk stored in {@code length} bytes of {@code stored} from {@code from} straight
         * into {@code content} at {@code at}, verified, where it must fill exactly {@code bytes}. On
         * failure, what is there is undefined.
         *
         * @throws CorruptSnapshotException if the stored bytes are not a chunk named {@code name} of {@code bytes} bytes
         */
        void decode(String name, byte[] stored, int from, int length, byte[] content, int at, int bytes)
                throws CorruptSnapshotException {
            decodeUnnamed(name, stored, from, length, content, at, bytes);
            check(name, content, at, bytes);
        }

        /**
         * As {@link #decode}, but without hashing the content: for a base a writer reads back to
         * store a delta against. The frame is checked as always (the CRC, or the tag), and a restore
         * checks the base by its name whenever it reads a delta against it.
         */
        void decodeUnnamed(String name, byte[] stored, int from, int length, byte[] content, int at, int bytes)
                throws CorruptSnapshotException {
            Block block = open(name, stored, from, length);
            if (block.plainLength() != bytes) {
                throw new CorruptSnapshotException("chunk " + name + " has " + block.plainLength()
                        + " bytes, its manifest says " + bytes);
            }
            decompress(name, block, content, at);
        }

        /**
         * Decodes the chunk stored as a delta ({@link ChunkDelta}) in {@code length} bytes of
         * {@code stored} from {@code from}, against the content of its base, straight into
         * {@code content} at {@code at}, verified as {@link #decode} does.
         *
         * @throws CorruptSnapshotException if the stored bytes and the base do not make a chunk named
         *     {@code name} of {@code bytes} bytes
         */
        void decodeDelta(String name, byte[] stored, int from, int length, byte[] base, byte[] content, int at,
                         int bytes) throws CorruptSnapshotException {
            Block block = open(name, stored, from, length);
            byte[] delta = new byte[block.plainLength()];
            decompress(name, block, delta, 0);
            ChunkDelta.apply(name, delta, delta.length, base, content, at, bytes);
            check(name, content, at, bytes);
        }

        /** The block inside a stored form, its frame checked: the form, the lengths, and the CRC or the tag. */
        private Block open(String name, byte[] stored, int from, int length) throws CorruptSnapshotException {
            if (length < MIN_STORED) {
                throw new CorruptSnapshotException("chunk " + name + " is truncated (" + length + " bytes)");
            }
            if (stored[from] == ENCRYPTED) {
                if (key == null) {
                    throw new CorruptSnapshotException("chunk " + name + " is encrypted and no encryption-key is set");
                }
                if (length < 1 + NONCE + TAG_BITS / 8 + 4) {
                    throw new CorruptSnapshotException("chunk " + name + " is truncated (" + length + " bytes)");
                }
                try {
                    Cipher cipher = cipher(Cipher.DECRYPT_MODE, new GCMParameterSpec(TAG_BITS, stored, from + 1, NONCE));
                    cipher.updateAAD(name.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    byte[] opened = cipher.doFinal(stored, from + 1 + NONCE, length - 1 - NONCE);
                    return block(name, opened, 0, opened.length);
                } catch (AEADBadTagException e) {
                    throw new CorruptSnapshotException("chunk " + name + " fails authentication (damaged, or another key)");
                } catch (GeneralSecurityException e) {
                    throw new IllegalStateException("AES-GCM is part of every JDK", e);
                }
            }
            if (stored[from] == PLAIN) {
                int end = from + length - 4;
                CRC32C crc = new CRC32C();
                crc.update(stored, from, end - from);
                if ((int) crc.getValue() != ByteBuffer.wrap(stored).getInt(end)) {
                    throw new CorruptSnapshotException("chunk " + name + " fails its CRC (damaged)");
                }
                return block(name, stored, from + 1, end);
            }
            throw new CorruptSnapshotException("chunk " + name + " has an unknown form " + stored[from]);
        }

        private void decompress(String name, Block block, byte[] content, int at) throws CorruptSnapshotException {
            int plainLength = block.plainLength();
            try {
                int decoded = Reading.LZ4.decompress(block.bytes(), block.from(), block.to() - block.from(), content, at,
                        plainLength);
                if (decoded != plainLength) {
                    throw new CorruptSnapshotException("chunk " + name + " decodes to " + decoded + " bytes, not " + plainLength);
                }
            } catch (net.jpountz.lz4.LZ4Exception | IndexOutOfBoundsException e) {
                throw new CorruptSnapshotException("chunk " + name + " does not decompress: " + e.getMessage());
            }
        }

        private void check(String name, byte[] content, int at, int bytes) throws CorruptSnapshotException {
            if (!name(content, at, bytes).equals(name)) {
                throw new CorruptSnapshotException("chunk " + name + " does not match its content");
            }
        }
    }

    /** Completes the plain form: {@code stored} holds the framed block up to {@code end}, and room for the CRC after it. */
    private static byte[] sealPlain(byte[] stored, int end) {
        stored[0] = PLAIN;
        CRC32C crc = new CRC32C();
        crc.update(stored, 0, end);
        ByteBuffer.wrap(stored).putInt(end, (int) crc.getValue());
        return stored;
    }

    /**
     * An LZ4 block that is one sequence of literals and no match, as the format allows for the last
     * sequence of any block: the token (the length's first 15 in its high half), the rest of the
     * length in bytes of 255 and one below 255, then the bytes themselves.
     *
     * @return the block's length, {@link #literalsLength}
     */
    private static int literalsOnly(byte[] data, int from, int length, byte[] block, int at) {
        int start = at;
        block[at++] = (byte) (Math.min(length, 15) << 4);
        if (length >= 15) {
            int rest = length - 15;
            for (; rest >= 255; rest -= 255) {
                block[at++] = (byte) 255;
            }
            block[at++] = (byte) rest;
        }
        System.arraycopy(data, from, block, at, length);
        return at + length - start;
    }

    /** The length of the block {@link #literalsOnly} makes of {@code length} bytes. */
    private static int literalsLength(int length) {
        return 1 + (length >= 15 ? (length - 15) / 255 + 1 : 0) + length;
    }

    /** A chunk's LZ4 block, in {@code bytes[from, to)}, and the length of the content it decodes to. */
    private record Block(byte[] bytes, int from, int to, int plainLength) {
    }

    /** The block after the content's length in {@code bytes[from, to)}, that length checked against what the block can hold. */
    private static Block block(String name, byte[] bytes, int from, int to) throws CorruptSnapshotException {
        int plainLength = ByteBuffer.wrap(bytes).getInt(from);
        if (plainLength < 0 || plainLength > Chunker.MAX || plainLength > 255L * (to - from - 4) + 16) {
            throw new CorruptSnapshotException("chunk " + name + " claims " + plainLength + " bytes");
        }
        return new Block(bytes, from + 4, to, plainLength);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
