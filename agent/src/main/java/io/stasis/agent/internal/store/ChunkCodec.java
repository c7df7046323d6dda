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

    String name(byte[] content) {
        return HexFormat.of().formatHex(key != null ? key.name(content) : sha256(content));
    }

    /**
     * The stored form of {@code content}.
     *
     * @param compress whether LZ4 looks for matches; without, the block holds the content as one run
     *     of literals, which costs a copy instead of about 5 ns a byte and is read the same way
     */
    byte[] encode(String name, byte[] content, boolean compress) {
        byte[] compressed = new byte[5 + compressBound(content.length)];
        ByteBuffer.wrap(compressed).putInt(1, content.length);
        int length = 5 + (compress
                ? Writing.LZ4.compress(content, 0, content.length, compressed, 5, compressed.length - 5)
                : literalsOnly(content, compressed, 5));
        if (key == null) {
            compressed[0] = PLAIN;
            byte[] stored = Arrays.copyOf(compressed, length + 4);
            CRC32C crc = new CRC32C();
            crc.update(stored, 0, length);
            ByteBuffer.wrap(stored).putInt(length, (int) crc.getValue());
            return stored;
        }
        try {
            byte[] nonce = new byte[NONCE];
            Sealing.RANDOM.nextBytes(nonce);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key.encryption(), new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(name.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            byte[] sealed = cipher.doFinal(compressed, 1, length - 1);
            byte[] stored = new byte[1 + NONCE + sealed.length];
            stored[0] = ENCRYPTED;
            System.arraycopy(nonce, 0, stored, 1, NONCE);
            System.arraycopy(sealed, 0, stored, 1 + NONCE, sealed.length);
            return stored;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is part of every JDK", e);
        }
    }

    /**
     * An LZ4 block that is one sequence of literals and no match, as the format allows for the last
     * sequence of any block: the token (the length's first 15 in its high half), the rest of the
     * length in bytes of 255 and one below 255, then the bytes themselves.
     *
     * @return the block's length
     */
    private static int literalsOnly(byte[] content, byte[] block, int at) {
        int start = at;
        int length = content.length;
        block[at++] = (byte) (Math.min(length, 15) << 4);
        if (length >= 15) {
            int rest = length - 15;
            for (; rest >= 255; rest -= 255) {
                block[at++] = (byte) 255;
            }
            block[at++] = (byte) rest;
        }
        System.arraycopy(content, 0, block, at, length);
        return at + length - start;
    }

    /**
     * The content of a stored chunk, verified.
     *
     * @throws CorruptSnapshotException if the stored bytes are not a chunk named {@code name}
     */
    byte[] decode(String name, byte[] stored) throws CorruptSnapshotException {
        if (stored.length < 9) {
            throw new CorruptSnapshotException("chunk " + name + " is truncated (" + stored.length + " bytes)");
        }
        byte[] framed;
        if (stored[0] == ENCRYPTED) {
            if (key == null) {
                throw new CorruptSnapshotException("chunk " + name + " is encrypted and no encryption-key is set");
            }
            if (stored.length < 1 + NONCE + TAG_BITS / 8 + 4) {
                throw new CorruptSnapshotException("chunk " + name + " is truncated (" + stored.length + " bytes)");
            }
            try {
                Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
                cipher.init(Cipher.DECRYPT_MODE, key.encryption(), new GCMParameterSpec(TAG_BITS, stored, 1, NONCE));
                cipher.updateAAD(name.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                byte[] opened = cipher.doFinal(stored, 1 + NONCE, stored.length - 1 - NONCE);
                framed = new byte[opened.length + 1];
                System.arraycopy(opened, 0, framed, 1, opened.length);
            } catch (AEADBadTagException e) {
                throw new CorruptSnapshotException("chunk " + name + " fails authentication (damaged, or another key)");
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("AES-GCM is part of every JDK", e);
            }
        } else if (stored[0] == PLAIN) {
            CRC32C crc = new CRC32C();
            crc.update(stored, 0, stored.length - 4);
            if ((int) crc.getValue() != ByteBuffer.wrap(stored).getInt(stored.length - 4)) {
                throw new CorruptSnapshotException("chunk " + name + " fails its CRC (damaged)");
            }
            framed = Arrays.copyOf(stored, stored.length - 4);
        } else {
            throw new CorruptSnapshotException("chunk " + name + " has an unknown form " + stored[0]);
        }
        int plainLength = ByteBuffer.wrap(framed).getInt(1);
        if (plainLength < 0 || plainLength > Chunker.MAX || plainLength > 255L * (framed.length - 5) + 16) {
            throw new CorruptSnapshotException("chunk " + name + " claims " + plainLength + " bytes");
        }
        byte[] content = new byte[plainLength];
        try {
            int decoded = Reading.LZ4.decompress(framed, 5, framed.length - 5, content, 0, plainLength);
            if (decoded != plainLength) {
                throw new CorruptSnapshotException("chunk " + name + " decodes to " + decoded + " bytes, not " + plainLength);
            }
        } catch (net.jpountz.lz4.LZ4Exception | IndexOutOfBoundsException e) {
            throw new CorruptSnapshotException("chunk " + name + " does not decompress: " + e.getMessage());
        }
        if (!name(content).equals(name)) {
            throw new CorruptSnapshotException("chunk " + name + " does not match its content");
        }
        return content;
    }

    private static byte[] sha256(byte[] content) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(content);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
