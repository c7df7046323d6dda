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
        put(factories, Rewrap.UNMODIFIABLE_COLLECTION, new ArrayList<>());
        put(factories, Rewrap.UNMODIFIABLE_LIST, new ArrayList<>());
        put(factories, Rewrap.UNMODIFIABLE_LIST, new LinkedList<>());
        put(factories, Rewrap.UNMODIFIABLE_SET, new HashSet<>());
        put(factories, Rewrap.UNMODIFIABLE_SORTED_SET, new TreeSet<>());
        put(factories, Rewrap.UNMODIFIABLE_NAVIGABLE_SET, new TreeSet<>());
        put(factories, Rewrap.UNMODIFIABLE_MAP, new HashMap<>());
        put(factories, Rewrap.UNMODIFIABLE_SORTED_MAP, new TreeMap<>());
        put(factories, Rewrap.UNMODIFIABLE_NAVIGABLE_MAP, new TreeMap<>());
        // JDK 21 and later: Collections.unmodifiableSequencedCollection/Set/Map.
        addIfPresent(factories, "unmodifiableSequencedCollection", "java.util.SequencedCollection", new ArrayDeque<>());
        addIfPresent(factories, "unmodifiableSequencedSet", "java.util.SequencedSet", new java.util.LinkedHashSet<>());
        addIfPresent(factories, "unmodifiableSequencedMap", "java.util.SequencedMap", new LinkedHashMap<>());
        return Collections.unmodifiableMap(factories);
    }

    private static Map<Class<?>, Function<Object, Object>> synchronizedFactories() {
        Map<Class<?>, Function<Object, Object>> factories = new LinkedHashMap<>();
        put(factories, Rewrap.SYNCHRONIZED_COLLECTION, new ArrayList<>());
        put(factories, Rewrap.SYNCHRONIZED_LIST, new ArrayList<>());
        put(factories, Rewrap.SYNCHRONIZED_LIST, new LinkedList<>());
        put(factories, Rewrap.SYNCHRONIZED_SET, new HashSet<>());
        put(factories, Rewrap.SYNCHRONIZED_SORTED_SET, new TreeSet<>());
        put(factories, Rewrap.SYNCHRONIZED_NAVIGABLE_SET, new TreeSet<>());
        put(factories, Rewrap.SYNCHRONIZED_MAP, new HashMap<>());
        put(factories, Rewrap.SYNCHRONIZED_SORTED_MAP, new TreeMap<>());
        put(factories, Rewrap.SYNCHRONIZED_NAVIGABLE_MAP, new TreeMap<>());
        return Collections.unmodifiableMap(factories);
    }

    /** Registers {@code factory} for the class of the wrapper it makes of {@code sample}. */
    private static void put(Map<Class<?>, Function<Object, Object>> factories, Function<Object, Object> factory,
                            Object sample) {
        factories.putIfAbsent(factory.apply(sample).getClass(), factory);
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
            put(factories, new ReflectiveRewrap(Collections.class.getMethod(method, Class.forName(parameterType))), sample);
        } catch (ReflectiveOperationException e) {
            // not on this JDK
        }
    }

    /**
     * {@code Collections}' wrapper factories. One enum rather than a lambda each: a lambda is a class
     * spun when it is first made, and these are made with the restore's Kryo, which the
     * application's first class with state waits for.
     */
    private enum Rewrap implements Function<Object, Object> {
        UNMODIFIABLE_COLLECTION, UNMODIFIABLE_LIST, UNMODIFIABLE_SET, UNMODIFIABLE_SORTED_SET, UNMODIFIABLE_NAVIGABLE_SET,
        UNMODIFIABLE_MAP, UNMODIFIABLE_SORTED_MAP, UNMODIFIABLE_NAVIGABLE_MAP,
        SYNCHRONIZED_COLLECTION, SYNCHRONIZED_LIST, SYNCHRONIZED_SET, SYNCHRONIZED_SORTED_SET, SYNCHRONIZED_NAVIGABLE_SET,
        SYNCHRONIZED_MAP, SYNCHRONIZED_SORTED_MAP, SYNCHRONIZED_NAVIGABLE_MAP;

        @Override
        public Object apply(Object c) {
            return switch (this) {
                case UNMODIFIABLE_COLLECTION -> Collections.unmodifiableCollection((Collection<?>) c);
                case UNMODIFIABLE_LIST -> Collections.unmodifiableList((List<?>) c);
                case UNMODIFIABLE_SET -> Collections.unmodifiableSet((Set<?>) c);
                case UNMODIFIABLE_SORTED_SET -> Collections.unmodifiableSortedSet((SortedSet<?>) c);
                case UNMODIFIABLE_NAVIGABLE_SET -> Collections.unmodifiableNavigableSet((NavigableSet<?>) c);
                case UNMODIFIABLE_MAP -> Collections.unmodifiableMap((Map<?, ?>) c);
                case UNMODIFIABLE_SORTED_MAP -> Collections.unmodifiableSortedMap((SortedMap<?, ?>) c);
                case UNMODIFIABLE_NAVIGABLE_MAP -> Collections.unmodifiableNavigableMap((NavigableMap<?, ?>) c);
                case SYNCHRONIZED_COLLECTION -> Collections.synchronizedCollection((Collection<?>) c);
                case SYNCHRONIZED_LIST -> Collections.synchronizedList((List<?>) c);
                case SYNCHRONIZED_SET -> Collections.synchronizedSet((Set<?>) c);
                case SYNCHRONIZED_SORTED_SET -> Collections.synchronizedSortedSet((SortedSet<?>) c);
                case SYNCHRONIZED_NAVIGABLE_SET -> Collections.synchronizedNavigableSet((NavigableSet<?>) c);
                case SYNCHRONIZED_MAP -> Collections.synchronizedMap((Map<?, ?>) c);
                case SYNCHRONIZED_SORTED_MAP -> Collections.synchronizedSortedMap((SortedMap<?, ?>) c);
                case SYNCHRONIZED_NAVIGABLE_MAP -> Collections.synchronizedNavigableMap((NavigableMap<?, ?>) c);
            };
        }
    }

    /** A wrapper factory this code cannot name: newer than the JDK it is compiled for. */
    private static final class ReflectiveRewrap implements Function<Object, Object> {
        private final Method factory;

        ReflectiveRewrap(Method factory) {
            this.factory = factory;
        }

        @Override
        public Object apply(Object c) {
            try {
                return factory.invoke(null, c);
            } catch (ReflectiveOperationException e) {
                throw new KryoException(e);
            }
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
