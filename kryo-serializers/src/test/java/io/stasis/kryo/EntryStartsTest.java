package io.stasis.kryo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Output;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Where a written graph's entries start: the places a store's chunker may cut it. */
class EntryStartsTest {

    private final Kryo kryo = SnapshotKryo.create(getClass().getClassLoader());
    private final Output output = new Output(1 << 16, -1);

    private static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new SplittableRandom(seed).nextBytes(bytes);
        return bytes;
    }

    /**
     * Each element after the first starts one element's length after the one before (past its
     * class), and the bytes between two starts hold one whole element.
     */
    @Test
    void everyLargeElementOfAListStartsAnEntry() {
        List<byte[]> list = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            list.add(random(1000, i));
        }
        byte[] data = ValueGraph.write(kryo, output, List.of(list));
        int[] starts = ValueGraph.entryStarts(kryo);

        assertEquals(99, starts.length, Arrays.toString(starts));
        int entry = starts[1] - starts[0];
        for (int i = 0; i < starts.length; i++) {
            int from = i == 0 ? 0 : starts[i - 1];
            assertTrue(holds(Arrays.copyOfRange(data, from, starts[i]), list.get(i)), "element " + i);
            assertTrue(i == 0 || starts[i] - starts[i - 1] == entry, "evenly spaced");
        }
        assertTrue(holds(Arrays.copyOfRange(data, starts[98], data.length), list.get(99)), "the last element");
    }

    private static boolean holds(byte[] range, byte[] content) {
        for (int at = 0; at + content.length <= range.length; at++) {
            if (Arrays.equals(range, at, at + content.length, content, 0, content.length)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void aMapOfLargeValuesHasOneStartPerEntryAtItsKey() {
        Map<Integer, byte[]> map = new HashMap<>();
        for (int i = 0; i < 50; i++) {
            map.put(i, random(700, i));
        }
        ValueGraph.write(kryo, output, List.of(map));
        assertEquals(49, ValueGraph.entryStarts(kryo).length, "the value after each small key is no entry of its own");
    }

    /** Small entries are left to content-defined cuts: at most one start per 256 bytes is ever listed. */
    @Test
    void smallEntriesAreNotListed() {
        List<Integer> numbers = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            numbers.add(i * 31);
        }
        ValueGraph.write(kryo, output, List.of(numbers));
        assertEquals(0, ValueGraph.entryStarts(kryo).length);
    }

    /** The values of one root are siblings too, and so are the fields of an object. */
    @Test
    void aValueAfterALargeValueStartsAnEntry() {
        byte[] data = ValueGraph.write(kryo, output, List.of(random(2000, 1), "after", "small"));
        int[] starts = ValueGraph.entryStarts(kryo);
        assertEquals(1, starts.length);
        assertTrue(starts[0] > 2000 && starts[0] < data.length - 6, Arrays.toString(starts));
    }

    /** Graphs deeper than the notes' first table, and cycles, are noted alike: ascending, inside the data. */
    @Test
    void deepAndCyclicGraphsAreNotedInOrder() {
        List<Object> outer = new ArrayList<>();
        List<Object> level = outer;
        for (int depth = 0; depth < 200; depth++) {
            List<Object> inner = new ArrayList<>();
            level.add(random(300, depth));
            level.add(inner);
            level.add(outer); // a reference back: written as a reference, a start of its own
            level = inner;
        }
        byte[] data = ValueGraph.write(kryo, output, List.of(outer, random(10, 1)));
        int[] starts = ValueGraph.entryStarts(kryo);
        assertTrue(starts.length >= 200, "one start per level after its payload: " + starts.length);
        for (int i = 0; i < starts.length; i++) {
            assertTrue(starts[i] > 0 && starts[i] < data.length);
            assertTrue(i == 0 || starts[i] > starts[i - 1], "ascending");
        }
    }

    /** A write that failed halfway leaves nothing behind: the next graph's starts are those of a new Kryo. */
    @Test
    void aFailedWriteDoesNotShiftTheNext() {
        List<Object> list = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            list.add(random(500, i));
        }
        List<Object> failing = new ArrayList<>(list);
        failing.add(new Thread());
        assertThrows(GraphWriteException.class, () -> ValueGraph.write(kryo, output, List.of(failing)));

        ValueGraph.write(kryo, output, List.of(list));
        int[] afterFailure = ValueGraph.entryStarts(kryo);
        Kryo fresh = SnapshotKryo.create(getClass().getClassLoader());
        ValueGraph.write(fresh, new Output(1 << 16, -1), List.of(list));
        assertArrayEquals(ValueGraph.entryStarts(fresh), afterFailure);
        assertEquals(19, afterFailure.length);
    }
}
