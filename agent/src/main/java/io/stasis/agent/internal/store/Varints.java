package io.stasis.agent.internal.store;

import java.io.ByteArrayOutputStream;

/**
 * Unsigned LEB128 numbers, as chunk tables and deltas store them: seven bits a byte, the high bit
 * set on all but the last. A negative number takes ten bytes; what is read is decoded whole, then
 * bounded by its reader, never trusted.
 */
final class Varints {

    private Varints() {
    }

    static void write(ByteArrayOutputStream out, long value) {
        while ((value & ~0x7FL) != 0) {
            out.write((int) (value & 0x7F) | 0x80);
            value >>>= 7;
        }
        out.write((int) value);
    }

    /**
     * The number at {@code at[0]} in {@code bytes}, which ends at {@code end}; {@code at[0]} moves past it.
     *
     * @param what names the bytes in the message when they end early ("a chunk table")
     * @throws IllegalArgumentException if the bytes end first, or the number is longer than 64 bits
     */
    static long read(byte[] bytes, int[] at, int end, String what) {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (at[0] >= end) {
                throw new IllegalArgumentException(what + " ends early");
            }
            int b = bytes[at[0]++];
            value |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new IllegalArgumentException(what + " has a number longer than 64 bits");
    }
}
