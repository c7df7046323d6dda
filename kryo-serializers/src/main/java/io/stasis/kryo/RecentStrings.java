package io.stasis.kryo;

import java.util.Arrays;

/**
 * The short strings a graph wrote last, with their reference ids: what a writer consults instead
 * of Kryo's identity map for strings of up to {@link #MAX_LENGTH} characters. On a large graph the
 * identity map's lookups, one per object written, were most of a checkpoint's pause, and most
 * objects are short strings. This table is small and indexed by the string's own hash, so it stays
 * in the CPU's cache: a string written again soon after (a status, a type, an owner's name shared
 * by many entries) is still written as a reference and read back as one instance, while one that
 * fell out of the table is written again in full, which costs at most its own length and reads back
 * as an equal string of its own.
 *
 * <p>Not thread-safe: one per Kryo.
 */
final class RecentStrings {

    static final int MAX_LENGTH = 32;

    private static final int BITS = 10;

    private final String[] strings = new String[1 << BITS];
    private final int[] ids = new int[1 << BITS];
    private boolean empty = true;

    static boolean isShort(Object object) {
        return object.getClass() == String.class && ((String) object).length() <= MAX_LENGTH;
    }

    /** The id this very string was written with, if it is still in the table; -1 otherwise. */
    int idOf(String string) {
        int slot = slot(string);
        return strings[slot] == string ? ids[slot] : -1;
    }

    void written(String string, int id) {
        int slot = slot(string);
        strings[slot] = string;
        ids[slot] = id;
        empty = false;
    }

    /** Ids are per graph: the next graph starts with an empty table. */
    void clear() {
        if (!empty) {
            Arrays.fill(strings, null);
            empty = true;
        }
    }

    private static int slot(String string) {
        return (string.hashCode() * 0x9E3779B9) >>> (Integer.SIZE - BITS);
    }
}
