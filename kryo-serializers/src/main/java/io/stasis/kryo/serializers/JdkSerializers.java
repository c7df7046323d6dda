package io.stasis.kryo.serializers;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.SerializerFactory;
import io.stasis.kryo.serializers.CollectionWrapperSerializers.AsLifoQueueSerializer;
import io.stasis.kryo.serializers.CollectionWrapperSerializers.SetFromMapSerializer;
import io.stasis.kryo.serializers.CollectionWrapperSerializers.SynchronizedSerializer;
import io.stasis.kryo.serializers.CollectionWrapperSerializers.UnmodifiableSerializer;
import io.stasis.kryo.serializers.ValueSerializers.ConstantSerializer;
import java.io.File;
import java.net.URI;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.Stack;
import java.util.UUID;
import java.util.Vector;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.PriorityBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicMarkableReference;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.AtomicStampedReference;
import java.util.concurrent.atomic.DoubleAccumulator;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The one place that adds this package's serializers to a {@link Kryo}, so that the common JDK types
 * round-trip on JDK 17 and later without {@code --add-opens} and without {@code sun.misc.Unsafe}
 * (JDK 25 with {@code --sun-misc-unsafe-memory-access=deny -Dkryo.unsafe=false}).
 *
 * <p>Only what stock Kryo gets wrong is added; everything else (ArrayList, HashMap, TreeMap with a
 * comparator, java.time values, BigDecimal, Optional, EnumSet, arrays, ...) stays with Kryo's own
 * serializers. JDK-internal runtime classes are matched by the class of an instance made here
 * ({@code List.of(1).getClass()}), never by reflection into the JDK's modules. Default serializers
 * added to a Kryo come before Kryo's built-in ones, so these replace Kryo's where both exist
 * (e.g. {@code List.of}, {@code ZonedDateTime}, {@code Locale}). No class is registered: class
 * names are still written, and nothing here depends on registration order.
 *
 * <p>Serializers are created per call: a Kryo and its serializers belong to one thread.
 */
public final class JdkSerializers {

    private JdkSerializers() {
    }

    /** Adds every serializer of this package to {@code kryo} as a default serializer. */
    public static void addTo(Kryo kryo) {
        addValues(kryo);
        addAtomics(kryo);
        addImmutableCollections(kryo);
        addCollectionWrappers(kryo);
        addMutableCollections(kryo);
        addConcurrentCollections(kryo);
        kryo.addDefaultSerializer(Throwable.class, new ThrowableSerializer());
        // Last, on Object: JDK classes nothing above or in Kryo can restore.
        kryo.addDefaultSerializer(Object.class, new JdkFallbackSerializers.Factory());
    }

    private static void addValues(Kryo kryo) {
        kryo.addDefaultSerializer(UUID.class, new StringFormSerializer<>(UUID::fromString));
        kryo.addDefaultSerializer(URI.class, new StringFormSerializer<>(URI::create));
        kryo.addDefaultSerializer(File.class, new StringFormSerializer<>(File::new));
        kryo.addDefaultSerializer(Pattern.class, new PatternSerializer());
        kryo.addDefaultSerializer(Path.class, new ValueSerializers.PathSerializer());
        kryo.addDefaultSerializer(Locale.class, new ValueSerializers.LocaleSerializer());
        kryo.addDefaultSerializer(ZonedDateTime.class, new ValueSerializers.ZonedDateTimeSerializer());
        kryo.addDefaultSerializer(StringBuilder.class, new ValueSerializers.StringBuilderSerializer());
        kryo.addDefaultSerializer(StringBuffer.class, new ValueSerializers.StringBufferSerializer());
        constant(kryo, Collections.reverseOrder());
        constant(kryo, String.CASE_INSENSITIVE_ORDER);
    }

    private static void addAtomics(Kryo kryo) {
        exact(kryo, AtomicInteger.class, new AtomicSerializers.AtomicIntegerSerializer());
        exact(kryo, AtomicLong.class, new AtomicSerializers.AtomicLongSerializer());
        exact(kryo, AtomicBoolean.class, new AtomicSerializers.AtomicBooleanSerializer());
        exact(kryo, AtomicReference.class, new AtomicSerializers.AtomicReferenceSerializer());
        exact(kryo, AtomicIntegerArray.class, new AtomicSerializers.AtomicIntegerArraySerializer());
        exact(kryo, AtomicLongArray.class, new AtomicSerializers.AtomicLongArraySerializer());
        exact(kryo, AtomicReferenceArray.class, new AtomicSerializers.AtomicReferenceArraySerializer());
        exact(kryo, AtomicMarkableReference.class, new AtomicSerializers.AtomicMarkableReferenceSerializer());
        exact(kryo, AtomicStampedReference.class, new AtomicSerializers.AtomicStampedReferenceSerializer());
        exact(kryo, LongAdder.class, new AtomicSerializers.LongAdderSerializer());
        exact(kryo, DoubleAdder.class, new AtomicSerializers.DoubleAdderSerializer());
        exact(kryo, LongAccumulator.class, AtomicSerializers.accumulatorSerializer());
        exact(kryo, DoubleAccumulator.class, AtomicSerializers.accumulatorSerializer());
    }

    private static void addImmutableCollections(Kryo kryo) {
        Serializer<?> lists = new ImmutableCollectionSerializers.ListSerializer();
        for (List<?> sample : List.of(List.of(), List.of(1), List.of(1, 2), List.of(1, 2, 3),
                Stream.of().toList(), Stream.of(1).toList(), Stream.of(1, 2).toList(), Stream.of(1, 2, 3).toList())) {
            kryo.addDefaultSerializer(sample.getClass(), lists);
        }
        Serializer<?> subLists = new ImmutableCollectionSerializers.SubListSerializer();
        kryo.addDefaultSerializer(List.of(1, 2, 3).subList(0, 1).getClass(), subLists);
        kryo.addDefaultSerializer(Stream.of(1, 2, 3).toList().subList(0, 1).getClass(), subLists);
        Serializer<?> sets = new ImmutableCollectionSerializers.SetSerializer();
        for (Set<?> sample : List.of(Set.of(), Set.of(1), Set.of(1, 2), Set.of(1, 2, 3))) {
            kryo.addDefaultSerializer(sample.getClass(), sets);
        }
        Serializer<?> maps = new ImmutableCollectionSerializers.MapSerializer();
        for (Map<?, ?> sample : List.of(Map.of(), Map.of(1, 1), Map.of(1, 1, 2, 2))) {
            kryo.addDefaultSerializer(sample.getClass(), maps);
        }
        kryo.addDefaultSerializer(Map.entry(1, 1).getClass(), new ImmutableCollectionSerializers.MapEntrySerializer());
        kryo.addDefaultSerializer(Arrays.asList().getClass(), new ImmutableCollectionSerializers.ArraysAsListSerializer());
        kryo.addDefaultSerializer(Collections.nCopies(1, 1).getClass(), new ImmutableCollectionSerializers.NCopiesSerializer());
        for (Map.Entry<Class<?>, Supplier<List<Object>>> parent : ImmutableCollectionSerializers.SUB_LIST_PARENTS.entrySet()) {
            exact(kryo, parent.getKey(), new ImmutableCollectionSerializers.SubListViewSerializer(parent.getValue()));
        }
    }

    private static void addCollectionWrappers(Kryo kryo) {
        for (Map.Entry<Class<?>, Function<Object, Object>> wrapper : CollectionWrapperSerializers.UNMODIFIABLE.entrySet()) {
            exact(kryo, wrapper.getKey(), new UnmodifiableSerializer(wrapper.getValue()));
        }
        for (Map.Entry<Class<?>, Function<Object, Object>> wrapper : CollectionWrapperSerializers.SYNCHRONIZED.entrySet()) {
            exact(kryo, wrapper.getKey(), new SynchronizedSerializer(wrapper.getValue()));
        }
        for (Class<?> checked : CollectionWrapperSerializers.CHECKED) {
            exact(kryo, checked, new SerialFormSerializer<>());
        }
        constant(kryo, Collections.emptyNavigableSet());
        constant(kryo, Collections.emptyNavigableMap());
        exact(kryo, Collections.newSetFromMap(new HashMap<>()).getClass(), new SetFromMapSerializer());
        exact(kryo, Collections.asLifoQueue(new ArrayDeque<>()).getClass(), new AsLifoQueueSerializer());
    }

    private static void addMutableCollections(Kryo kryo) {
        exact(kryo, LinkedHashMap.class, new MutableCollectionSerializers.LinkedHashMapSerializer());
        Serializer<?> vectors = new MutableCollectionSerializers.VectorSerializer();
        exact(kryo, Vector.class, vectors);
        exact(kryo, Stack.class, vectors);
        exact(kryo, EnumMap.class, new MutableCollectionSerializers.EnumMapSerializer());
        // Properties' defaults are a protected field: its serial form keeps them.
        exact(kryo, Properties.class, new SerialFormSerializer<>());
    }

    private static void addConcurrentCollections(Kryo kryo) {
        exact(kryo, ArrayBlockingQueue.class, new ConcurrentSerializers.ArrayBlockingQueueSerializer());
        exact(kryo, LinkedBlockingQueue.class, new ConcurrentSerializers.LinkedBlockingQueueSerializer());
        exact(kryo, LinkedBlockingDeque.class, new ConcurrentSerializers.LinkedBlockingDequeSerializer());
        exact(kryo, PriorityBlockingQueue.class, new ConcurrentSerializers.PriorityBlockingQueueSerializer());
        exact(kryo, ConcurrentSkipListSet.class, new ConcurrentSerializers.ConcurrentSkipListSetSerializer());
        exact(kryo, java.util.concurrent.CopyOnWriteArrayList.class,
                new CopyOnWriteSerializer(java.util.concurrent.CopyOnWriteArrayList::new));
        exact(kryo, java.util.concurrent.CopyOnWriteArraySet.class,
                new CopyOnWriteSerializer(java.util.concurrent.CopyOnWriteArraySet::new));
        ConcurrentHashMap<Object, Object> sample = new ConcurrentHashMap<>();
        exact(kryo, ConcurrentHashMap.KeySetView.class, new ConcurrentSerializers.KeySetViewSerializer());
        exact(kryo, sample.values().getClass(), new ConcurrentSerializers.MapViewSerializer(ConcurrentHashMap::values));
        exact(kryo, sample.entrySet().getClass(), new ConcurrentSerializers.MapViewSerializer(ConcurrentHashMap::entrySet));
    }

    private static <T> void constant(Kryo kryo, T instance) {
        exact(kryo, instance.getClass(), new ConstantSerializer<>(instance));
    }

    /** For {@code type} itself only: its subclasses are someone else's classes. */
    @SuppressWarnings("rawtypes")
    private static void exact(Kryo kryo, Class<?> type, Serializer<?> serializer) {
        kryo.addDefaultSerializer(type, new SerializerFactory<Serializer<?>>() {
            @Override
            public Serializer<?> newSerializer(Kryo k, Class t) {
                return serializer;
            }

            @Override
            public boolean isSupported(Class t) {
                return t == type;
            }
        });
    }
}
