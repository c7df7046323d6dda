package io.stasis.kryo;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.util.DefaultInstantiatorStrategy;
import com.esotericsoftware.kryo.util.MapReferenceResolver;
import io.stasis.kryo.schema.ClassRenames;
import io.stasis.kryo.schema.EvolvingSerializers;
import io.stasis.kryo.serializers.AtomicSerializers;
import io.stasis.kryo.serializers.OutsideTheHeap;
import io.stasis.kryo.serializers.PatternSerializer;
import io.stasis.kryo.serializers.StringFormSerializer;
import java.io.File;
import java.net.URI;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import org.objenesis.strategy.StdInstantiatorStrategy;

/**
 * The one entry point: a {@link Kryo} configured for snapshots.
 *
 * <ul>
 *   <li>No registration: classes are written by name, so class identity never depends on
 *       registration or class-loading order.</li>
 *   <li>References on: shared and cyclic references inside one graph round-trip as such.</li>
 *   <li>Classes without a no-argument constructor are instantiated through Objenesis.</li>
 *   <li>Application classes, records and enums in an evolving form: a snapshot restores into the
 *       next version of the classes (see {@link io.stasis.kryo.schema.EvolvingSerializer}).</li>
 *   <li>Serializers for JDK types that stock Kryo cannot write on JDK 17 and later without
 *       {@code --add-opens} (UUID, URI, Pattern, File, the atomics).</li>
 *   <li>Threads, streams, sockets, class loaders, executors, JDBC objects and locks held at the
 *       cut are refused when written ({@link NotSnapshottableException}), never discovered broken
 *       at restore.</li>
 * </ul>
 *
 * <p>A Kryo instance is not thread-safe and caches classes by name: use one per thread and per
 * class loader.
 */
public final class SnapshotKryo {

    private SnapshotKryo() {
    }

    /** A new Kryo that resolves class names with {@code classLoader}. */
    public static Kryo create(ClassLoader classLoader) {
        Kryo kryo = new Kryo(ClassRenames.resolver(), new MapReferenceResolver());
        kryo.setRegistrationRequired(false);
        kryo.setReferences(true);
        kryo.setClassLoader(classLoader);
        kryo.setInstantiatorStrategy(new DefaultInstantiatorStrategy(new StdInstantiatorStrategy()));
        addDefaultSerializers(kryo);
        EvolvingSerializers.addTo(kryo);
        return kryo;
    }

    /** Adds this module's serializers to any Kryo. */
    public static void addDefaultSerializers(Kryo kryo) {
        kryo.addDefaultSerializer(UUID.class, new StringFormSerializer<>(UUID::fromString));
        kryo.addDefaultSerializer(URI.class, new StringFormSerializer<>(URI::create));
        kryo.addDefaultSerializer(File.class, new StringFormSerializer<>(File::new));
        kryo.addDefaultSerializer(Pattern.class, new PatternSerializer());
        kryo.addDefaultSerializer(AtomicInteger.class, new AtomicSerializers.AtomicIntegerSerializer());
        kryo.addDefaultSerializer(AtomicLong.class, new AtomicSerializers.AtomicLongSerializer());
        kryo.addDefaultSerializer(AtomicBoolean.class, new AtomicSerializers.AtomicBooleanSerializer());
        kryo.addDefaultSerializer(AtomicReference.class, new AtomicSerializers.AtomicReferenceSerializer());
        OutsideTheHeap.addTo(kryo);
    }
}
