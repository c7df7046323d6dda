package io.stasis.agent.internal.store;

import net.jpountz.lz4.LZ4Factory;

/**
 * Compresses a chunk's content into one LZ4 block. Every implementation writes the same format,
 * which the pure-Java decompressor reads, so which one wrote a chunk does not matter to a reader.
 */
@FunctionalInterface
interface BlockCompressor {

    /**
     * Compresses {@code src[srcOff, srcOff + srcLen)} into {@code dest} from {@code destOff}.
     *
     * @return the length of the block
     */
    int compress(byte[] src, int srcOff, int srcLen, byte[] dest, int destOff, int maxDestLen);

    /** lz4-java's pure-Java compressor: no JNI, no {@code Unsafe}. */
    static BlockCompressor pureJava() {
        return LZ4Factory.safeInstance().fastCompressor()::compress;
    }
}
