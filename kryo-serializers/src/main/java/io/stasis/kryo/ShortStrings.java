package io.stasis.kryo;

import java.util.Arrays;

/**
 * Short strings a graph wrote, with their reference ids: what a writer consults instead of Kryo's
 * identity map for strings of up to {@link #MAX_LENGTH} characters. On a large graph the identity
 * map's lookups, one per object written, were most of a checkpoint's pause, and most objects are
 * short strings. This table is small and indexed by the string's own hash, so it stays in the
 * CPU's cache.
 *
 * <p>A string written again while it is in the table is written as a reference and read back as
 * one instance. Referenced {@link #KEEP} times, a string keeps its slot for the rest of the graph:
 * a status, a type, an owner's name that many entries share. Later references to it then name
 * the id of its first write, so a change that adds or removes objects after that write leaves
 * them unchanged, and an incremental checkpoint rewrites only what is near the change. Any other
 * slot goes to the next string that falls into it, so a string shared only nearby (a map's key
 * that its value names too) still finds its place while the table is full of kept ones. A string
 * that finds its slot taken is written in full, which costs at most its own length, and reads
 * back as an equal string of its own.
 *
 * <p>Not thread-safe: one per Kryo.
 */
final class ShortStrings {

    static final int MAX_LENGTH = 32;

    /** References after which a string keeps its slot. */
    static final int KEEP = 2;

    private static final int BITS = 10;

    private final String[] strings = new String[1 << BITS];
    private final int[] ids = new int[1 << BITS];
    private final byte[] references = new byte[1 << BITS];
    private boolean empty = true;

    static boolean isShort(Object object) {
        return object.getClass() == String.class && ((String) object).length() <= MAX_LENGTH;
    }

    /** The id this very string was written with, if it is in the table; -1 otherwise. */
    int idOf(String string) {
        int slot = slot(string);
        if (strings[slot] != string) {
            return -1;
        }
        if (references[slot] < KEEP) {
            references[slot]++;
        }
        return ids[slot];
    }

    /** {@code string} was written in full with {@code id}: it takes its slot unless a kept string holds it. */
    void written(String string, int id) {
        int slot = slot(string);
        if (references[slot] < KEEP) {
            strings[slot] = string;
            ids[slot] = id;
            references[slot] = 0;
            empty = false;
        }
    }

    /** Ids are per graph: the next graph starts with an empty table. */
    void clear() {
        if (!empty) {
            Arrays.fill(strings, null);
            Arrays.fill(references, (byte) 0);
            empty = true;
        }
    }

    private static int slot(String string) {
        return (string.hashCode() * 0x9E3779B9) >>> (Integer.SIZE - BITS);
    }
}
