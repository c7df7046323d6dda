package io.stasis.kryo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.Output;
import io.stasis.kryo.schema.StoredObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Snapshot bytes read back without the application's classes, as {@code inspect} shows them. */
class ReadWithoutClassesTest {

    enum Colour { RED, GREEN }

    record Entry(long number, String note, Colour colour) {
    }

    static final class Node {
        String name;
        Node next;
        int weight;
        Colour colour = Colour.GREEN;
    }

    static final class ListSubclass extends ArrayList<String> {
    }

    private static byte[] write(Object... values) {
        return ValueGraph.write(TestKryo.create(ReadWithoutClassesTest.class.getClassLoader()), new Output(256, -1),
                List.of(values));
    }

    private static List<Object> readWithoutClasses(byte[] bytes, int count) {
        return ValueGraph.read(SnapshotKryo.createWithoutClasses(), bytes, count);
    }

    @Test
    void applicationObjectsRecordsAndEnumsReadAsStoredObjectsWithJdkValuesAsThemselves() {
        Node a = new Node();
        a.name = "a";
        a.weight = 7;
        Node b = new Node();
        b.name = "b";
        b.colour = Colour.RED;
        a.next = b;
        b.next = a; // a cycle
        ArrayDeque<Entry> journal = new ArrayDeque<>(List.of(new Entry(1, "one", Colour.RED), new Entry(2, null, Colour.GREEN)));
        Map<String, Object> map = new HashMap<>(Map.of("node", a, "at", Instant.ofEpochSecond(5)));
        List<Object> read = readWithoutClasses(write(a, journal, new AtomicLong(42), map, new long[] {1, 2}), 5);

        StoredObject first = assertInstanceOf(StoredObject.class, read.get(0));
        assertEquals(Node.class.getName(), first.type());
        assertEquals(List.of("colour", "name", "next", "weight"), first.names());
        StoredObject colour = assertInstanceOf(StoredObject.class, first.values().get(0));
        assertEquals(Colour.class.getName(), colour.type());
        assertEquals("GREEN", colour.constant());
        assertEquals("a", first.values().get(1));
        assertEquals(7, first.values().get(3));
        StoredObject second = (StoredObject) first.values().get(2);
        assertEquals("RED", ((StoredObject) second.values().get(0)).constant());
        assertSame(first, second.values().get(2), "the cycle comes back as a cycle");

        ArrayDeque<?> entries = assertInstanceOf(ArrayDeque.class, read.get(1));
        StoredObject entry = (StoredObject) entries.getFirst();
        assertEquals(Entry.class.getName(), entry.type());
        assertEquals(List.of("colour", "note", "number"), entry.names());
        assertEquals(1L, entry.values().get(2));
        assertNull(((StoredObject) entries.getLast()).values().get(1));
        assertEquals(42, ((AtomicLong) read.get(2)).get());
        Map<?, ?> readMap = assertInstanceOf(HashMap.class, read.get(3));
        assertSame(first, readMap.get("node"), "shared between two values of one root");
        assertEquals(Instant.ofEpochSecond(5), readMap.get("at"));
    }

    @Test
    void needsNoClassOfTheApplication() {
        String node = Node.class.getName();
        String gone = node.replace("$Node", "$Gone"); // no such class anywhere
        byte[] bytes = new String(write(new Node()), StandardCharsets.ISO_8859_1)
                .replace(kryoAscii(node), kryoAscii(gone)).getBytes(StandardCharsets.ISO_8859_1);
        StoredObject read = (StoredObject) readWithoutClasses(bytes, 1).get(0);
        assertEquals(gone, read.type());
        assertEquals(List.of("colour", "name", "next", "weight"), read.names());
    }

    /** How Kryo writes a short ASCII string: its characters, the last one flagged. */
    private static String kryoAscii(String text) {
        return text.substring(0, text.length() - 1) + (char) (text.charAt(text.length() - 1) | 0x80);
    }

    @Test
    void anApplicationClassInAnotherFormIsRefusedNotMisread() {
        ListSubclass list = new ListSubclass();
        list.add("x");
        assertThrows(KryoException.class, () -> readWithoutClasses(write(list), 1));
    }
}
