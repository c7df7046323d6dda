package io.stasis.kryo;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.util.DefaultInstantiatorStrategy;
import io.stasis.kryo.schema.EvolvingSerializers;
import io.stasis.kryo.serializers.BoundedSerializers;
import io.stasis.kryo.serializers.JdkSerializers;
import io.stasis.kryo.serializers.OutsideTheHeap;
import org.objenesis.strategy.StdInstantiatorStrategy;

/**
 * The one entry point: a {@link Kryo} configured for snapshots.
 *
 * <ul>
 *   <li>No registration: classes are written by name, so class identity never depends on
 *       registration or class-loading order.</li>
 *   <li>Only {@link AllowedClasses} may be named: checked before a class is loaded when reading,
 *       and when writing, so that what is written can be read back.</li>
 *   <li>Bounded: graphs nest at most {@link Limits#MAX_DEPTH} deep, and lengths read from a
 *       {@link SnapshotInput} are checked before anything is allocated ({@link Limits}); the hashing
 *       that rebuilding collections causes is bounded by the input's size.</li>
 *   <li>References on: shared and cyclic references inside one graph round-trip as such. A string
 *       of up to 32 characters is shared when it has a place in a small table
 *       ({@link ShortStrings}); otherwise it is written again in full and read back as an equal
 *       string of its own.</li>
 *   <li>Classes without a no-argument constructor are instantiated through Objenesis.</li>
 *   <li>Application classes, records and enums in an evolving form: a snapshot restores into the
 *       next version of the classes (see {@link io.stasis.kryo.schema.EvolvingSerializer}).</li>
 *   <li>Serializers for the JDK types that stock Kryo cannot write, or cannot read back, on JDK 17
 *       and later without {@code --add-opens} ({@link JdkSerializers}).</li>
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

    /** A new Kryo that resolves class names with {@code classLoader} and allows only {@link AllowedClasses#jdk()}. */
    public static Kryo create(ClassLoader classLoader) {
        return create(classLoader, AllowedClasses.jdk());
    }

    /** A new Kryo that resolves class names with {@code classLoader} and allows {@code allowed}. */
    public static Kryo create(ClassLoader classLoader, AllowedClasses allowed) {
        return configure(BudgetedKryo.create(new AllowListClassResolver(allowed)), classLoader);
    }

    /**
     * A Kryo that reads snapshots without the application's classes, to show what they hold: JDK
     * classes as {@link AllowedClasses#jdk()} admits them, objects of any other class as
     * {@link io.stasis.kryo.schema.StoredObject}s, built from the schema the graph carries, without
     * loading the class. What an application class wrote in another form (a subclass of a JDK
     * collection, an exception) cannot be read this way, and fails as damaged bytes do. Only reads.
     */
    public static Kryo createWithoutClasses() {
        return configure(BudgetedKryo.create(new StandInClassResolver()), ClassLoader.getPlatformClassLoader());
    }

    private static Kryo configure(Kryo kryo, ClassLoader classLoader) {
        kryo.setRegistrationRequired(false);
        kryo.setReferences(true);
        kryo.setMaxDepth(Limits.MAX_DEPTH);
        kryo.setClassLoader(classLoader);
        kryo.setInstantiatorStrategy(new DefaultInstantiatorStrategy(new StdInstantiatorStrategy()));
        addDefaultSerializers(kryo);
        EvolvingSerializers.addTo(kryo);
        return kryo;
    }

    /**
     * Changes what a Kryo made here allows, for the graphs it writes or reads next: typically
     * {@code base.andReachableFrom(rootType)} per root.
     *
     * @throws IllegalArgumentException for a Kryo not made by {@link #create}
     */
    public static void allow(Kryo kryo, AllowedClasses allowed) {
        if (!(kryo.getClassResolver() instanceof AllowListClassResolver resolver)) {
            throw new IllegalArgumentException("not a Kryo made by SnapshotKryo.create");
        }
        resolver.allow(allowed);
    }

    /**
     * The names of the classes a Kryo made here has written by name since {@link #allow} was last
     * called (or since it was made): the class table of the graphs written since, sorted.
     */
    public static java.util.List<String> classesWritten(Kryo kryo) {
        if (!(kryo.getClassResolver() instanceof AllowListClassResolver resolver)) {
            throw new IllegalArgumentException("not a Kryo made by SnapshotKryo.create");
        }
        return resolver.written().stream().map(Class::getName).sorted().toList();
    }

    /**
     * Adds this module's JDK serializers to any Kryo. The refusals come first, so that a thread or
     * a held lock is refused with its reason before the JDK fallback considers it.
     */
    public static void addDefaultSerializers(Kryo kryo) {
        OutsideTheHeap.addTo(kryo);
        JdkSerializers.addTo(kryo);
        BoundedSerializers.addTo(kryo);
    }
}
