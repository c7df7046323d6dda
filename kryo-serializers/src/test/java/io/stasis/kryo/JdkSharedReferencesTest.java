package io.stasis.kryo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.esotericsoftware.kryo.io.Output;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.junit.jupiter.api.Test;

/**
 * Views and wrappers keep their identity, the identity of what they wrap, and cycles through them,
 * within one graph.
 */
class JdkSharedReferencesTest {

    enum Slot {
        A, B
    }

    /** An application object that refers back to the container holding it. */
    static final class Node {
        Object owner;
        String name;

        Node(String name) {
            this.name = name;
        }
    }

    /** An exception with a field of its own that points into a cycle. */
    static final class TaskFailed extends RuntimeException {
        Task task;

        TaskFailed(String message) {
            super(message);
        }
    }

    static final class Task {
        RuntimeException failure;
    }

    private static List<Object> roundTrip(Object... values) {
        ClassLoader loader = JdkSharedReferencesTest.class.getClassLoader();
        byte[] bytes = ValueGraph.write(TestKryo.create(loader), new Output(256, -1), List.of(values));
        return ValueGraph.read(TestKryo.create(loader), bytes, values.length);
    }

    @Test
    void unmodifiableViewStaysAViewOfTheRestoredList() {
        List<String> items = new ArrayList<>(List.of("a"));
        List<String> view = Collections.unmodifiableList(items);
        for (boolean viewFirst : new boolean[] {true, false}) {
            List<Object> back = viewFirst ? roundTrip(view, items) : roundTrip(items, view);
            @SuppressWarnings("unchecked")
            List<String> itemsBack = (List<String>) back.get(viewFirst ? 1 : 0);
            @SuppressWarnings("unchecked")
            List<String> viewBack = (List<String>) back.get(viewFirst ? 0 : 1);
            itemsBack.add("b");
            assertEquals(List.of("a", "b"), viewBack, "view first: " + viewFirst);
        }
    }

    /** The usual domain pattern: a private list and a read-only view of it, as typed fields. */
    static final class Basket {
        private final List<String> items = new ArrayList<>();
        final List<String> view = Collections.unmodifiableList(items);
        final Collection<String> alsoView = Collections.unmodifiableCollection(items);
        final Map<String, List<String>> byName = Collections.synchronizedMap(new TreeMap<>());
    }

    @Test
    void viewsHeldInTypedFieldsShareTheirBackingList() {
        Basket basket = new Basket();
        basket.items.add("apple");
        basket.byName.put("all", basket.view);
        Basket back = (Basket) roundTrip(basket).get(0);
        back.items.add("pear");
        assertEquals(List.of("apple", "pear"), back.view);
        assertEquals(List.of("apple", "pear"), new ArrayList<>(back.alsoView));
        assertSame(back.view, back.byName.get("all"));
    }

    @Test
    void wrappersThatContainThemselves() {
        List<Object> inner = new ArrayList<>();
        List<Object> unmodifiable = Collections.unmodifiableList(inner);
        inner.add(unmodifiable);
        List<?> back = (List<?>) roundTrip(unmodifiable).get(0);
        assertSame(back, back.get(0));

        Map<String, Object> map = new LinkedHashMap<>();
        Map<String, Object> synchronizedMap = Collections.synchronizedMap(map);
        map.put("self", synchronizedMap);
        Map<?, ?> mapBack = (Map<?, ?>) roundTrip(synchronizedMap).get(0);
        assertSame(mapBack, mapBack.get("self"));

        Node node = new Node("n");
        List<Node> nodes = Collections.synchronizedList(new LinkedList<>(List.of(node)));
        node.owner = nodes;
        List<?> nodesBack = (List<?>) roundTrip(nodes).get(0);
        assertSame(nodesBack, ((Node) nodesBack.get(0)).owner);
    }

    @Test
    void concurrentHashMapKeySetSharesItsMap() {
        ConcurrentHashMap<String, Integer> map = new ConcurrentHashMap<>(Map.of("a", 1));
        Set<String> keys = map.keySet(0);
        List<Object> back = roundTrip(map, keys);
        @SuppressWarnings("unchecked")
        ConcurrentHashMap.KeySetView<String, Integer> keysBack = (ConcurrentHashMap.KeySetView<String, Integer>) back.get(1);
        assertSame(back.get(0), keysBack.getMap());
        keysBack.add("b");
        assertEquals(0, ((Map<?, ?>) back.get(0)).get("b"));
    }

    @Test
    void arraysAsListSharesItsArrayAndMayContainItself() {
        String[] array = {"x", "y"};
        List<String> list = Arrays.asList(array);
        List<Object> back = roundTrip(array, list);
        String[] arrayBack = (String[]) back.get(0);
        @SuppressWarnings("unchecked")
        List<String> listBack = (List<String>) back.get(1);
        listBack.set(0, "changed");
        assertEquals("changed", arrayBack[0]);

        Object[] cell = new Object[1];
        List<Object> self = Arrays.asList(cell);
        self.set(0, self);
        List<?> selfBack = (List<?>) roundTrip(self).get(0);
        assertSame(selfBack, selfBack.get(0));
    }

    @Test
    void setFromMapSharesItsMap() {
        Map<String, Boolean> map = new ConcurrentHashMap<>();
        Set<String> set = Collections.newSetFromMap(map);
        set.add("a");
        List<Object> back = roundTrip(map, set);
        @SuppressWarnings("unchecked")
        Set<String> setBack = (Set<String>) back.get(1);
        setBack.add("b");
        assertEquals(Set.of("a", "b"), ((Map<?, ?>) back.get(0)).keySet());
    }

    @Test
    void containersRegisteredBeforeTheirContents() {
        Node node = new Node("n");
        EnumMap<Slot, Node> enumMap = new EnumMap<>(Slot.class);
        enumMap.put(Slot.A, node);
        node.owner = enumMap;
        EnumMap<?, ?> enumMapBack = (EnumMap<?, ?>) roundTrip(enumMap).get(0);
        assertSame(enumMapBack, ((Node) enumMapBack.get(Slot.A)).owner);

        LinkedHashMap<String, Object> lru = new LinkedHashMap<>(4, 0.75f, true);
        lru.put("self", lru);
        Map<?, ?> lruBack = (Map<?, ?>) roundTrip(lru).get(0);
        assertSame(lruBack, lruBack.get("self"));

        ArrayBlockingQueue<Object> queue = new ArrayBlockingQueue<>(2);
        queue.add(queue);
        ArrayBlockingQueue<?> queueBack = (ArrayBlockingQueue<?>) roundTrip(queue).get(0);
        assertSame(queueBack, queueBack.peek());

        AtomicReferenceArray<Object> array = new AtomicReferenceArray<>(1);
        array.set(0, array);
        AtomicReferenceArray<?> arrayBack = (AtomicReferenceArray<?>) roundTrip(array).get(0);
        assertSame(arrayBack, arrayBack.get(0));

        List<Object> parent = new ArrayList<>(List.of("a", "b", "c"));
        List<Object> sub = parent.subList(1, 3);
        sub.set(0, sub);
        List<?> subBack = (List<?>) roundTrip(sub).get(0);
        assertSame(subBack, subBack.get(0));
    }

    @Test
    void subMapViewStaysAViewOfTheRestoredMap() {
        TreeMap<Integer, String> map = new TreeMap<>(Map.of(1, "a", 2, "b", 3, "c"));
        NavigableMap<Integer, String> descending = map.descendingMap();
        List<Object> back = roundTrip(map, descending);
        @SuppressWarnings("unchecked")
        TreeMap<Integer, String> mapBack = (TreeMap<Integer, String>) back.get(0);
        @SuppressWarnings("unchecked")
        NavigableMap<Integer, String> descendingBack = (NavigableMap<Integer, String>) back.get(1);
        assertEquals(List.of(3, 2, 1), new ArrayList<>(descendingBack.keySet()));
        mapBack.put(4, "d");
        assertEquals(4, descendingBack.firstKey());
    }

    @Test
    void exceptionsInCycles() {
        TaskFailed failure = new TaskFailed("task failed");
        Task task = new Task();
        task.failure = failure;
        failure.task = task;
        for (Object root : new Object[] {failure, task}) {
            Object back = roundTrip(root).get(0);
            TaskFailed failureBack = back instanceof TaskFailed f ? f : (TaskFailed) ((Task) back).failure;
            assertSame(failureBack, failureBack.task.failure, "root " + root.getClass().getSimpleName());
        }

        IllegalStateException outer = new IllegalStateException("outer");
        RuntimeException closing = new RuntimeException("while closing", outer);
        outer.addSuppressed(closing);
        Throwable outerBack = (Throwable) roundTrip(outer).get(0);
        assertSame(outerBack, outerBack.getSuppressed()[0].getCause());
        assertTrue(outerBack.getStackTrace().length > 0);
    }
}
