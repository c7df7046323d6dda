package io.stasis.kryo.serializers;

import io.stasis.kryo.Limits;
import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.ReferenceResolver;
import com.esotericsoftware.kryo.Registration;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.serializers.CollectionSerializer;
import com.esotericsoftware.kryo.serializers.MapSerializer;
import java.lang.reflect.Array;
import java.lang.reflect.Modifier;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.function.Function;

/**
 * Writes the container a view or wrapper holds (the list inside {@code Collections.unmodifiableList},
 * the map behind {@code ConcurrentHashMap.keySet}, the array behind {@code Arrays.asList}) so that
 * the reader can create the container empty, build the view around it and register the view
 * ({@link Kryo#reference}) before the container's contents are read. A cycle through the view (an
 * element that refers back to it) then reads back as the view itself.
 *
 * <p>That works for containers this class knows how to create empty: arrays of objects, the JDK's
 * sorted sets and maps, {@link LinkedHashMap}, and collections and maps that Kryo writes with its
 * plain {@link CollectionSerializer} or {@link MapSerializer} and that have a public no-argument
 * constructor. Any other container, and one that is already part of the graph, is written as an
 * ordinary object: shared references still work, only a cycle through the view itself cannot.
 */
final class Shells {

    private static final int OBJECT = 0;
    private static final int SHELL = 1;

    private Shells() {
    }

    static void write(Kryo kryo, Output output, Object container) {
        Kind kind = container == null ? null : kindOf(kryo, container.getClass());
        ReferenceResolver references = kryo.getReferenceResolver();
        if (kind == null || !kryo.getReferences() || !references.useReferences(container.getClass())
                || references.getWrittenId(container) != -1) {
            output.writeByte(OBJECT);
            kryo.writeClassAndObject(output, container);
            return;
        }
        output.writeByte(SHELL);
        references.addWrittenObject(container);
        kryo.writeClass(output, container.getClass());
        kind.writeHeader(kryo, output, container);
        kind.writeContents(kryo, output, container);
    }

    /** Reads a container written by {@link #write}, makes the view and registers it; returns the view. */
    static <V> V read(Kryo kryo, Input input, Function<Object, V> viewOf) {
        int tag = input.readByte();
        if (tag == OBJECT) {
            V view = viewOf.apply(kryo.readClassAndObject(input));
            kryo.reference(view);
            return view;
        }
        Registration registration = kryo.readClass(input);
        Class<?> type = registration.getType();
        Kind kind = kindOf(kryo, type);
        if (kind == null) {
            throw new com.esotericsoftware.kryo.KryoException("Cannot create an empty " + type.getName());
        }
        ReferenceResolver references = kryo.getReferenceResolver();
        int id = references.nextReadId(type);
        Object shell = kind.create(kryo, input, type);
        references.setReadObject(id, shell);
        V view = viewOf.apply(shell);
        kryo.reference(view);
        kind.readContents(kryo, input, shell);
        return view;
    }

    private static Kind kindOf(Kryo kryo, Class<?> type) {
        if (type.isArray()) {
            return type.getComponentType().isPrimitive() ? null : ARRAY;
        }
        if (type == TreeSet.class || type == ConcurrentSkipListSet.class) {
            return SORTED_SET;
        }
        if (type == TreeMap.class || type == ConcurrentSkipListMap.class) {
            return SORTED_MAP;
        }
        if (type == LinkedHashMap.class) {
            return LINKED_HASH_MAP;
        }
        if (!Modifier.isPublic(type.getModifiers()) || !hasPublicNoArgConstructor(type)) {
            return null;
        }
        Serializer<?> serializer = kryo.getSerializer(type);
        if (serializer.getClass() == CollectionSerializer.class
                || serializer.getClass() == BoundedSerializers.BoundedCollectionSerializer.class) {
            return COLLECTION;
        }
        if (serializer.getClass() == MapSerializer.class
                || serializer.getClass() == BoundedSerializers.BoundedMapSerializer.class) {
            return MAP;
        }
        return null;
    }

    static boolean hasPublicNoArgConstructor(Class<?> type) {
        try {
            type.getConstructor();
            return !Modifier.isAbstract(type.getModifiers());
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    private interface Kind {
        default void writeHeader(Kryo kryo, Output output, Object container) {
        }

        Object create(Kryo kryo, Input input, Class<?> type);

        void writeContents(Kryo kryo, Output output, Object container);

        void readContents(Kryo kryo, Input input, Object container);
    }

    private static final Kind ARRAY = new Kind() {
        @Override
        public void writeHeader(Kryo kryo, Output output, Object array) {
            output.writeVarInt(Array.getLength(array), true);
        }

        @Override
        public Object create(Kryo kryo, Input input, Class<?> type) {
            return Array.newInstance(type.getComponentType(), Limits.count(input, input.readVarInt(true), 1));
        }

        @Override
        public void writeContents(Kryo kryo, Output output, Object array) {
            for (Object element : (Object[]) array) {
                kryo.writeClassAndObject(output, element);
            }
        }

        @Override
        public void readContents(Kryo kryo, Input input, Object array) {
            Object[] elements = (Object[]) array;
            for (int i = 0; i < elements.length; i++) {
                elements[i] = kryo.readClassAndObject(input);
            }
        }
    };

    private static final Kind COLLECTION = new Kind() {
        @Override
        public Object create(Kryo kryo, Input input, Class<?> type) {
            return kryo.newInstance(type);
        }

        @Override
        public void writeContents(Kryo kryo, Output output, Object container) {
            writeElements(kryo, output, (Collection<?>) container);
        }

        @Override
        public void readContents(Kryo kryo, Input input, Object container) {
            readElements(kryo, input, container);
        }
    };

    private static final Kind MAP = new Kind() {
        @Override
        public Object create(Kryo kryo, Input input, Class<?> type) {
            return kryo.newInstance(type);
        }

        @Override
        public void writeContents(Kryo kryo, Output output, Object container) {
            writeEntries(kryo, output, (Map<?, ?>) container);
        }

        @Override
        public void readContents(Kryo kryo, Input input, Object container) {
            readEntries(kryo, input, container);
        }
    };

    private static final Kind SORTED_SET = new Kind() {
        @Override
        public void writeHeader(Kryo kryo, Output output, Object container) {
            kryo.writeClassAndObject(output, ((SortedSet<?>) container).comparator());
        }

        @Override
        @SuppressWarnings({"unchecked", "rawtypes"})
        public Object create(Kryo kryo, Input input, Class<?> type) {
            Comparator comparator = (Comparator) kryo.readClassAndObject(input);
            return type == TreeSet.class ? new TreeSet<>(comparator) : new ConcurrentSkipListSet<>(comparator);
        }

        @Override
        public void writeContents(Kryo kryo, Output output, Object container) {
            writeElements(kryo, output, (Collection<?>) container);
        }

        @Override
        public void readContents(Kryo kryo, Input input, Object container) {
            readElements(kryo, input, container);
        }
    };

    private static final Kind SORTED_MAP = new Kind() {
        @Override
        public void writeHeader(Kryo kryo, Output output, Object container) {
            kryo.writeClassAndObject(output, ((SortedMap<?, ?>) container).comparator());
        }

        @Override
        @SuppressWarnings({"unchecked", "rawtypes"})
        public Object create(Kryo kryo, Input input, Class<?> type) {
            Comparator comparator = (Comparator) kryo.readClassAndObject(input);
            return type == TreeMap.class ? new TreeMap<>(comparator) : new ConcurrentSkipListMap<>(comparator);
        }

        @Override
        public void writeContents(Kryo kryo, Output output, Object container) {
            writeEntries(kryo, output, (Map<?, ?>) container);
        }

        @Override
        public void readContents(Kryo kryo, Input input, Object container) {
            readEntries(kryo, input, container);
        }
    };

    private static final Kind LINKED_HASH_MAP = new Kind() {
        @Override
        public void writeHeader(Kryo kryo, Output output, Object container) {
            output.writeBoolean(SerialForm.accessOrder((LinkedHashMap<?, ?>) container));
        }

        @Override
        public Object create(Kryo kryo, Input input, Class<?> type) {
            return new LinkedHashMap<>(16, 0.75f, input.readBoolean());
        }

        @Override
        public void writeContents(Kryo kryo, Output output, Object container) {
            writeEntries(kryo, output, (Map<?, ?>) container);
        }

        @Override
        public void readContents(Kryo kryo, Input input, Object container) {
            readEntries(kryo, input, container);
        }
    };

    static void writeElements(Kryo kryo, Output output, Collection<?> collection) {
        output.writeVarInt(collection.size(), true);
        for (Object element : collection) {
            kryo.writeClassAndObject(output, element);
        }
    }

    @SuppressWarnings("unchecked")
    static void readElements(Kryo kryo, Input input, Object collection) {
        Collection<Object> target = (Collection<Object>) collection;
        for (int i = input.readVarInt(true); i > 0; i--) {
            target.add(kryo.readClassAndObject(input));
        }
    }

    static void writeEntries(Kryo kryo, Output output, Map<?, ?> map) {
        output.writeVarInt(map.size(), true);
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            kryo.writeClassAndObject(output, entry.getKey());
            kryo.writeClassAndObject(output, entry.getValue());
        }
    }

    @SuppressWarnings("unchecked")
    static void readEntries(Kryo kryo, Input input, Object map) {
        Map<Object, Object> target = (Map<Object, Object>) map;
        for (int i = input.readVarInt(true); i > 0; i--) {
            Object key = kryo.readClassAndObject(input);
            target.put(key, kryo.readClassAndObject(input));
        }
    }
}
