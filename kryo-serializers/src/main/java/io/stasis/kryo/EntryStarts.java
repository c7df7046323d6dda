package io.stasis.kryo;

import com.esotericsoftware.kryo.io.Output;
import java.util.Arrays;

/**
 * Where, in a graph's bytes, an object starts right after a large sibling: the next entry of a
 * collection, map or array whose entries are large, or the field after a large field. These are
 * the places a store's chunker may cut so that a changed entry rewrites its own chunk and not the
 * bytes of its neighbours; the bytes themselves do not record them.
 *
 * <p>Only a start at least {@link #SPAN} bytes after its previous sibling's is kept, which bounds
 * the list to one position per {@code SPAN} bytes and depends only on that sibling, never on which
 * starts were kept before: a change moves only the starts next to it.
 *
 * <p>Not thread-safe: one per Kryo.
 */
final class EntryStarts {

    /** The least size of the sibling before a start that is kept. */
    static final int SPAN = 256;

    /** The output of the graph being written; null outside {@link #begin} and {@link #finish}. */
    private Output output;
    /** Where in the output the graph being written starts. */
    private long graphStart;
    /** Per depth, where the last object at that depth under the current parent started; -1 for none yet. */
    private long[] lastStart = new long[16];
    private int[] starts = new int[64];
    private int count;

    /** A graph is written next into {@code output}, from its current position: forget the last one's starts. */
    void begin(Output output) {
        this.output = output;
        this.graphStart = output.total();
        Arrays.fill(lastStart, -1);
        count = 0;
    }

    /** The graph is written (or failed): nothing more is noted until the next {@link #begin}. */
    void finish() {
        output = null;
    }

    /** An object starts at the output's current position, at {@code depth} (1 for the graph's values). */
    void objectAt(int depth) {
        if (output == null) {
            return; // a read, or a write outside ValueGraph
        }
        if (depth + 1 >= lastStart.length) {
            int length = lastStart.length;
            lastStart = Arrays.copyOf(lastStart, Math.max(length * 2, depth + 2));
            Arrays.fill(lastStart, length, lastStart.length, -1);
        }
        long position = output.total() - graphStart;
        long previous = lastStart[depth];
        if (previous >= 0 && position - previous >= SPAN && position <= Integer.MAX_VALUE) {
            if (count == starts.length) {
                starts = Arrays.copyOf(starts, count * 2);
            }
            starts[count++] = (int) position;
        }
        lastStart[depth] = position;
        lastStart[depth + 1] = -1; // its children are siblings of each other, not of what came before it
    }

    /** The starts kept for the last graph, ascending. */
    int[] toArray() {
        return Arrays.copyOf(starts, count);
    }
}
