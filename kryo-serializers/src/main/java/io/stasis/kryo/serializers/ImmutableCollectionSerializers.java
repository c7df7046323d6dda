package io.stasis.kryo.serializers;

import io.stasis.kryo.Limits;
import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.RandomAccess;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * {@code List.of}, {@code Set.of}, {@code Map.of}, {@code Map.entry}, {@code Stream.toList()},
 * {@code Arrays.asList}, {@code Collections.nCopies} and {@code subList} views, matched by their
 * JDK-internal runtime classes.
 *
 * <p>Stock Kryo reads {@code List.of} and friends into a temporary {@code ArrayList} and registers
 * that temporary as the object, so a second reference to the same list in one graph reads back as
 * an {@code ArrayList}; it also rejects {@code Stream.toList()} results holding nulls. These
 * serializers register the list they return. An immutable collection cannot exist before its
 * elements, so an element that refers back to the collection itself cannot be restored (as with
 * Java serialization); that is the only cycle they do not keep.
 */
public final class ImmutableCollectionSerializers {

    private ImmutableCollectionSerializers() {
    }

    /**
     * Whether an immutable list accepts nulls ({@code contains(null)} answers instead of throwing),
     * as {@code Stream.toList()} results do and {@code List.of} results do not. {@code List.copyOf}
     * returns a list that does not accept nulls as it is, and copies one that does.
     */
    static boolean allowsNulls(List<?> list) {
        for (Object element : list) {
            if (element == null) {
                return true;
            }
        }
        return List.copyOf(list) != list;
    }

    /** The same for a subList view of one (which {@code List.copyOf} always copies): asks it. */
    static boolean subListAllowsNulls(List<?> list) {
        try {
            list.indexOf(null);
            return true;
        } catch (NullPointerException e) {
            return false;
        }
    }

    static Object[] readElements(Kryo kryo, Input input) {
        Object[] elements = new Object[Limits.count(input, input.readVarInt(true), 1)];
        for (int i = 0; i < elements.length; i++) {
            elements[i] = kryo.readClassAndObject(input);
        }
        return elements;
    }

    static List<Object> immutableList(boolean allowsNulls, Object[] elements) {
        return allowsNulls ? Arrays.stream(elements).toList() : List.of(elements);
    }

    /** {@code List.of(...)}, {@code List.copyOf}, {@code Stream.toList()} (nulls allowed). */
    public static final class ListSerializer extends Serializer<List<?>> {
        @Override
        public void write(Kryo kryo, Output output, List<?> list) {
            output.writeBoolean(allowsNulls(list));
            Shells.writeElements(kryo, output, list);
        }

        @Override
        public List<?> read(Kryo kryo, Input input, Class<? extends List<?>> type) {
            boolean allowsNulls = input.readBoolean();
            return immutableList(allowsNulls, readElements(kryo, input));
        }
    }

    /** {@code subList} of an immutable list. */
    public static final class SubListSerializer extends Serializer<List<?>> {
        @Override
        public void write(Kryo kryo, Output output, List<?> list) {
            output.writeBoolean(subListAllowsNulls(list));
            Shells.writeElements(kryo, output, list);
        }

        @Override
        public List<?> read(Kryo kryo, Input input, Class<? extends List<?>> type) {
            boolean allowsNulls = input.readBoolean();
            Object[] elements = readElements(kryo, input);
            return immutableList(allowsNulls, elements).subList(0, elements.length);
        }
    }

    /** {@code Set.of(...)}, {@code Set.copyOf}. */
    public static final class SetSerializer extends Serializer<Set<?>> {
        @Override
        public void write(Kryo kryo, Output output, Set<?> set) {
            Shells.writeElements(kryo, output, set);
        }

        @Override
        public Set<?> read(Kryo kryo, Input input, Class<? extends Set<?>> type) {
            return Set.of(readElements(kryo, input));
        }
    }

    /** {@code Map.of(...)}, {@code Map.ofEntries}, {@code Map.copyOf}. */
    public static final class MapSerializer extends Serializer<Map<?, ?>> {
        @Override
        public void write(Kryo kryo, Output output, Map<?, ?> map) {
            Shells.writeEntries(kryo, output, map);
        }

        @Override
        @SuppressWarnings({"unchecked", "rawtypes"})
        public Map<?, ?> read(Kryo kryo, Input input, Class<? extends Map<?, ?>> type) {
            Map.Entry<Object, Object>[] entries = new Map.Entry[Limits.count(input, input.readVarInt(true), 2)];
            for (int i = 0; i < entries.length; i++) {
                Object key = kryo.readClassAndObject(input);
                entries[i] = Map.entry(key, kryo.readClassAndObject(input));
            }
            return Map.ofEntries(entries);
        }
    }

    /** {@code Map.entry(k, v)}. */
    public static final class MapEntrySerializer extends Serializer<Map.Entry<?, ?>> {
        @Override
        public void write(Kryo kryo, Output output, Map.Entry<?, ?> entry) {
            kryo.writeClassAndObject(output, entry.getKey());
            kryo.writeClassAndObject(output, entry.getValue());
        }

        @Override
        public Map.Entry<?, ?> read(Kryo kryo, Input input, Class<? extends Map.Entry<?, ?>> type) {
            Object key = kryo.readClassAndObject(input);
            return Map.entry(key, kryo.readClassAndObject(input));
        }
    }

    /**
     * {@code Arrays.asList}: its backing array (found through the list's serial form), written as an
     * object of the graph, so the component type is kept, an array also held elsewhere stays shared
     * and writes through the list still reach it.
     */
    public static final class ArraysAsListSerializer extends Serializer<List<?>> {
        @Override
        public void write(Kryo kryo, Output output, List<?> list) {
            Shells.write(kryo, output, SerialForm.references(list).get(0));
        }

        @Override
        public List<?> read(Kryo kryo, Input input, Class<? extends List<?>> type) {
            return Shells.read(kryo, input, array -> Arrays.asList((Object[]) array));
        }
    }

    /** {@code Collections.nCopies(n, element)}. */
    public static final class NCopiesSerializer extends Serializer<List<?>> {
        @Override
        public void write(Kryo kryo, Output output, List<?> list) {
            output.writeVarInt(list.size(), true);
            kryo.writeClassAndObject(output, list.isEmpty() ? null : list.get(0));
        }

        @Override
        public List<?> read(Kryo kryo, Input input, Class<? extends List<?>> type) {
            int size = input.readVarInt(true);
            return Collections.nCopies(size, kryo.readClassAndObject(input));
        }
    }

    /**
     * {@code subList} views of mutable lists ({@code ArrayList}, {@code LinkedList},
     * {@code CopyOnWriteArrayList}, {@code Arrays.asList} and other {@code AbstractList}s). The JDK
     * gives no way to reach the list a view belongs to, so the view comes back over a private list
     * of the same kind holding just the viewed elements: same runtime class, same elements, same
     * mutability; writes through it no longer reach the original parent list.
     */
    public static final class SubListViewSerializer extends Serializer<List<?>> {
        private final Supplier<List<Object>> parent;

        public SubListViewSerializer(Supplier<List<Object>> parent) {
            this.parent = parent;
        }

        @Override
        public void write(Kryo kryo, Output output, List<?> view) {
            Shells.writeElements(kryo, output, view);
        }

        @Override
        public List<?> read(Kryo kryo, Input input, Class<? extends List<?>> type) {
            int size = Limits.count(input, input.readVarInt(true), 1);
            List<Object> root = parent.get();
            root.addAll(Collections.nCopies(size, null));
            List<Object> view = root.subList(0, size);
            kryo.reference(view);
            for (int i = 0; i < size; i++) {
                view.set(i, kryo.readClassAndObject(input));
            }
            return view;
        }
    }

    /** Parents that make each JDK subList class, keyed by the class their subList has. */
    static final Map<Class<?>, Supplier<List<Object>>> SUB_LIST_PARENTS = subListParents();

    private static Map<Class<?>, Supplier<List<Object>>> subListParents() {
        Map<Class<?>, Supplier<List<Object>>> parents = new java.util.LinkedHashMap<>();
        parents.put(new ArrayList<>().subList(0, 0).getClass(), ArrayList::new);
        parents.put(new LinkedList<>().subList(0, 0).getClass(), LinkedList::new);
        parents.put(new RandomAccessParent().subList(0, 0).getClass(), RandomAccessParent::new);
        parents.put(new CopyOnWriteArrayList<>().subList(0, 0).getClass(), CopyOnWriteArrayList::new);
        return Collections.unmodifiableMap(parents);
    }

    /** A mutable random-access {@link AbstractList}, whose subList is {@code AbstractList$RandomAccessSubList}. */
    private static final class RandomAccessParent extends AbstractList<Object> implements RandomAccess {
        private final ArrayList<Object> elements = new ArrayList<>();

        @Override
        public Object get(int index) {
            return elements.get(index);
        }

        @Override
        public int size() {
            return elements.size();
        }

        @Override
        public Object set(int index, Object element) {
            return elements.set(index, element);
        }

        @Override
        public void add(int index, Object element) {
            modCount++;
            elements.add(index, element);
        }

        @Override
        public Object remove(int index) {
            modCount++;
            return elements.remove(index);
        }

        @Override
        public boolean addAll(Collection<?> c) {
            modCount++;
            return elements.addAll(c);
        }
    }
}
