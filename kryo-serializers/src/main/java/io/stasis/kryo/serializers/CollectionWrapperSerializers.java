package io.stasis.kryo.serializers;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.lang.reflect.Method;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The {@link Collections} wrappers. Their runtime classes are JDK-internal and their one field, the
 * wrapped collection, is private: stock Kryo writes their elements and fails only at read. These
 * serializers find the wrapped collection through its serial form (no {@code --add-opens}), write it
 * as an object of the graph (so a backing collection also held elsewhere stays shared) and wrap it
 * again with the same public factory method. The wrapper is registered before the wrapped
 * collection's elements are read, so an element may refer back to the wrapper (see {@link Shells}).
 *
 * <p>{@code checked*} wrappers are written by {@link SerialFormSerializer} (their element type is
 * private too); {@code emptySortedSet()} and friends are constants.
 */
public final class CollectionWrapperSerializers {

    private CollectionWrapperSerializers() {
    }

    /** Wrapper class to the factory that makes it, found by calling each factory once. */
    static final Map<Class<?>, Function<Object, Object>> UNMODIFIABLE = unmodifiableFactories();
    static final Map<Class<?>, Function<Object, Object>> SYNCHRONIZED = synchronizedFactories();
    /** The runtime classes of {@code Collections.checked*}: written in their serial form. */
    static final List<Class<?>> CHECKED = checkedClasses();

    private static Map<Class<?>, Function<Object, Object>> unmodifiableFactories() {
        Map<Class<?>, Function<Object, Object>> factories = new LinkedHashMap<>();
        factories.put(Collections.unmodifiableCollection(new ArrayList<>()).getClass(),
                c -> Collections.unmodifiableCollection((Collection<?>) c));
        factories.put(Collections.unmodifiableList(new ArrayList<>()).getClass(), c -> Collections.unmodifiableList((List<?>) c));
        factories.put(Collections.unmodifiableList(new LinkedList<>()).getClass(), c -> Collections.unmodifiableList((List<?>) c));
        factories.put(Collections.unmodifiableSet(new HashSet<>()).getClass(), c -> Collections.unmodifiableSet((Set<?>) c));
        factories.put(Collections.unmodifiableSortedSet(new TreeSet<>()).getClass(),
                c -> Collections.unmodifiableSortedSet((SortedSet<?>) c));
        factories.put(Collections.unmodifiableNavigableSet(new TreeSet<>()).getClass(),
                c -> Collections.unmodifiableNavigableSet((NavigableSet<?>) c));
        factories.put(Collections.unmodifiableMap(new HashMap<>()).getClass(), c -> Collections.unmodifiableMap((Map<?, ?>) c));
        factories.put(Collections.unmodifiableSortedMap(new TreeMap<>()).getClass(),
                c -> Collections.unmodifiableSortedMap((SortedMap<?, ?>) c));
        factories.put(Collections.unmodifiableNavigableMap(new TreeMap<>()).getClass(),
                c -> Collections.unmodifiableNavigableMap((NavigableMap<?, ?>) c));
        // JDK 21 and later: Collections.unmodifiableSequencedCollection/Set/Map.
        addIfPresent(factories, "unmodifiableSequencedCollection", "java.util.SequencedCollection", new ArrayDeque<>());
        addIfPresent(factories, "unmodifiableSequencedSet", "java.util.SequencedSet", new java.util.LinkedHashSet<>());
        addIfPresent(factories, "unmodifiableSequencedMap", "java.util.SequencedMap", new LinkedHashMap<>());
        return Collections.unmodifiableMap(factories);
    }

    private static Map<Class<?>, Function<Object, Object>> synchronizedFactories() {
        Map<Class<?>, Function<Object, Object>> factories = new LinkedHashMap<>();
        factories.put(Collections.synchronizedCollection(new ArrayList<>()).getClass(),
                c -> Collections.synchronizedCollection((Collection<?>) c));
        factories.put(Collections.synchronizedList(new ArrayList<>()).getClass(), c -> Collections.synchronizedList((List<?>) c));
        factories.put(Collections.synchronizedList(new LinkedList<>()).getClass(), c -> Collections.synchronizedList((List<?>) c));
        factories.put(Collections.synchronizedSet(new HashSet<>()).getClass(), c -> Collections.synchronizedSet((Set<?>) c));
        factories.put(Collections.synchronizedSortedSet(new TreeSet<>()).getClass(),
                c -> Collections.synchronizedSortedSet((SortedSet<?>) c));
        factories.put(Collections.synchronizedNavigableSet(new TreeSet<>()).getClass(),
                c -> Collections.synchronizedNavigableSet((NavigableSet<?>) c));
        factories.put(Collections.synchronizedMap(new HashMap<>()).getClass(), c -> Collections.synchronizedMap((Map<?, ?>) c));
        factories.put(Collections.synchronizedSortedMap(new TreeMap<>()).getClass(),
                c -> Collections.synchronizedSortedMap((SortedMap<?, ?>) c));
        factories.put(Collections.synchronizedNavigableMap(new TreeMap<>()).getClass(),
                c -> Collections.synchronizedNavigableMap((NavigableMap<?, ?>) c));
        return Collections.unmodifiableMap(factories);
    }

    private static List<Class<?>> checkedClasses() {
        return List.of(
                Collections.checkedCollection(new ArrayList<>(), Object.class).getClass(),
                Collections.checkedList(new ArrayList<>(), Object.class).getClass(),
                Collections.checkedList(new LinkedList<>(), Object.class).getClass(),
                Collections.checkedSet(new HashSet<>(), Object.class).getClass(),
                Collections.checkedSortedSet(new TreeSet<>(), Object.class).getClass(),
                Collections.checkedNavigableSet(new TreeSet<>(), Object.class).getClass(),
                Collections.checkedQueue(new ArrayDeque<>(), Object.class).getClass(),
                Collections.checkedMap(new HashMap<>(), Object.class, Object.class).getClass(),
                Collections.checkedSortedMap(new TreeMap<>(), Object.class, Object.class).getClass(),
                Collections.checkedNavigableMap(new TreeMap<>(), Object.class, Object.class).getClass());
    }

    private static void addIfPresent(Map<Class<?>, Function<Object, Object>> factories, String method, String parameterType,
            Object sample) {
        try {
            Method factory = Collections.class.getMethod(method, Class.forName(parameterType));
            Function<Object, Object> wrap = c -> {
                try {
                    return factory.invoke(null, c);
                } catch (ReflectiveOperationException e) {
                    throw new KryoException(e);
                }
            };
            factories.putIfAbsent(wrap.apply(sample).getClass(), wrap);
        } catch (ReflectiveOperationException e) {
            // not on this JDK
        }
    }

    /** {@code Collections.unmodifiable*}: the wrapped collection, wrapped again on read. */
    public static final class UnmodifiableSerializer extends Serializer<Object> {
        private final Function<Object, Object> wrap;

        public UnmodifiableSerializer(Function<Object, Object> wrap) {
            this.wrap = wrap;
        }

        @Override
        public void write(Kryo kryo, Output output, Object wrapper) {
            Shells.write(kryo, output, wrapped(wrapper));
        }

        @Override
        public Object read(Kryo kryo, Input input, Class<?> type) {
            return Shells.read(kryo, input, wrap);
        }
    }

    /**
     * {@code Collections.synchronized*}: the wrapped collection, wrapped again on read, with the
     * wrapper itself as its lock. A wrapper that locks on another object (as the views of a
     * synchronized map, or {@code Vector.subList}, do) is written in its serial form, lock included.
     */
    public static final class SynchronizedSerializer extends Serializer<Object> {
        private final Function<Object, Object> wrap;
        private final SerialFormSerializer<Object> withOwnLock = new SerialFormSerializer<>();

        public SynchronizedSerializer(Function<Object, Object> wrap) {
            this.wrap = wrap;
        }

        @Override
        public void write(Kryo kryo, Output output, Object wrapper) {
            List<Object> fields = SerialForm.references(wrapper);
            if (fields.size() == 1) {
                output.writeByte(0);
                Shells.write(kryo, output, fields.get(0));
            } else {
                output.writeByte(1);
                withOwnLock.write(kryo, output, wrapper);
            }
        }

        @Override
        public Object read(Kryo kryo, Input input, Class<?> type) {
            if (input.readByte() == 0) {
                return Shells.read(kryo, input, wrap);
            }
            return withOwnLock.read(kryo, input, type);
        }
    }

    /** {@code Collections.newSetFromMap}: the backing map, then the set made over it again. */
    public static final class SetFromMapSerializer extends Serializer<Set<?>> {
        @Override
        public void write(Kryo kryo, Output output, Set<?> set) {
            Shells.write(kryo, output, wrapped(set));
        }

        @Override
        public Set<?> read(Kryo kryo, Input input, Class<? extends Set<?>> type) {
            return Shells.read(kryo, input, SetFromMapSerializer::setFromMap);
        }

        /** newSetFromMap wants an empty map: one read as a shared object is emptied and refilled. */
        @SuppressWarnings("unchecked")
        private static Set<?> setFromMap(Object backing) {
            Map<Object, Boolean> map = (Map<Object, Boolean>) backing;
            if (map.isEmpty()) {
                return Collections.newSetFromMap(map);
            }
            Map<Object, Boolean> entries = new LinkedHashMap<>(map);
            map.clear();
            Set<?> set = Collections.newSetFromMap(map);
            map.putAll(entries);
            return set;
        }
    }

    /** {@code Collections.asLifoQueue}: the deque, then the queue view of it again. */
    public static final class AsLifoQueueSerializer extends Serializer<Object> {
        @Override
        public void write(Kryo kryo, Output output, Object queue) {
            Shells.write(kryo, output, wrapped(queue));
        }

        @Override
        public Object read(Kryo kryo, Input input, Class<?> type) {
            return Shells.read(kryo, input, deque -> Collections.asLifoQueue((Deque<?>) deque));
        }
    }

    private static Object wrapped(Object wrapper) {
        List<Object> fields = SerialForm.references(wrapper);
        if (fields.size() != 1) {
            throw new KryoException("Unexpected serial form of " + wrapper.getClass().getName() + ": " + fields.size()
                    + " references");
        }
        return fields.get(0);
    }
}
