package io.stasis.kryo;

import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.Input;

/**
 * Bounds on what damaged or hostile bytes can make a reader do. A count read from the input is
 * believed only as far as the bytes left could hold that many elements (every element takes at
 * least one byte), so a declared length never allocates more than the input justifies. A capacity
 * costs memory without costing bytes, so it has a fixed ceiling, which writers check too: nothing
 * is written that a reader would refuse.
 */
public final class Limits {

    /** The deepest nesting of objects in one graph, on write and on read. */
    public static final int MAX_DEPTH = 500;
    /** The largest capacity of a vector, an array-backed queue or a string builder. */
    public static final int MAX_CAPACITY = 1 << 24;

    private Limits() {
    }

    /**
     * {@code count} elements of at least {@code bytesEach} bytes each, checked against what is left
     * of an input over a byte array (an input over a stream cannot tell, and is not checked).
     *
     * @throws KryoException if the input cannot hold them
     */
    public static int count(Input input, int count, int bytesEach) {
        if (count < 0) {
            throw new KryoException("damaged input: a negative length (" + count + ") at byte " + input.position());
        }
        if (input.getInputStream() == null) {
            long left = input.limit() - input.position();
            if ((long) count * bytesEach > left) {
                throw new KryoException("damaged input: " + count + " elements claimed at byte " + input.position()
                        + ", but only " + left + " bytes are left");
            }
        }
        return count;
    }

    /**
     * A capacity read from the input: up to {@link #MAX_CAPACITY}, or as many elements as the bytes
     * left could hold (the elements follow).
     *
     * @throws KryoException if it is larger
     */
    public static int capacity(Input input, int capacity) {
        return capacity <= MAX_CAPACITY && capacity >= 0 ? capacity : count(input, capacity, 1);
    }

    /** The capacity to write for {@code size} elements: at most what {@link #capacity} accepts. */
    public static int writableCapacity(int capacity, int size) {
        return Math.min(capacity, Math.max(size, MAX_CAPACITY));
    }
}
