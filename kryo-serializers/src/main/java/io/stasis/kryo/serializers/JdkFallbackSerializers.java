package io.stasis.kryo.serializers;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.SerializerFactory;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.serializers.CollectionSerializer;
import com.esotericsoftware.kryo.serializers.FieldSerializer;
import com.esotericsoftware.kryo.serializers.MapSerializer;
import java.io.Serializable;
import java.lang.reflect.Modifier;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * What happens to a JDK class that no other serializer handles, decided when Kryo first meets the
 * class (so before anything of it is written):
 *
 * <ul>
 *   <li>A class that Kryo's own default serializers handle, or whose fields Kryo can reach (a plain
 *       {@code new Object()} lock, a stateless comparator), is left to Kryo, except a stateless
 *       JDK singleton that resolves itself in its serial form ({@code IsoChronology.INSTANCE}),
 *       which is written in that form so it comes back as the singleton.</li>
 *   <li>A class whose fields sit in a package the JDK does not open (Kryo's field serializer would
 *       throw {@code InaccessibleObjectException}), or a collection or map with no public no-argument
 *       constructor (Kryo would write its elements and fail only when reading them back: views such as
 *       {@code TreeMap.descendingMap()}), is written in its serial form ({@link SerialFormSerializer})
 *       when it is {@link Serializable}: the JDK's own definition of its state.</li>
 *   <li>Any other such class (a {@code Thread}, a {@code Socket}, an {@code InputStream}, a
 *       {@code ClassLoader}, {@code HashMap.keySet()}) is refused with a {@link KryoException} at
 *       write time, naming the class, instead of failing later or at read time.</li>
 *   <li>A lambda or method reference is refused at write time too: its class is hidden and cannot
 *       be found again by name, so stock Kryo writes it and fails on read.</li>
 * </ul>
 *
 * <p>Registered last on {@code Object}, it sees only classes no other default serializer claimed.
 */
public final class JdkFallbackSerializers {

    private JdkFallbackSerializers() {
    }

    private enum Verdict {
        KRYO, SERIAL_FORM, REFUSE_CLOSED, REFUSE_VIEW, REFUSE_LAMBDA
    }

    /** The factory, registered on {@code Object.class} after every other serializer of this package. */
    public static final class Factory implements SerializerFactory<Serializer<?>> {
        private final Map<Class<?>, Verdict> verdicts = new HashMap<>();

        @Override
        @SuppressWarnings("rawtypes")
        public boolean isSupported(Class type) {
            return verdict(type) != Verdict.KRYO;
        }

        @Override
        @SuppressWarnings("rawtypes")
        public Serializer<?> newSerializer(Kryo kryo, Class type) {
            switch (verdict(type)) {
                case SERIAL_FORM:
                    return new SerialFormSerializer<>();
                case REFUSE_CLOSED:
                    return new Refusal(type.getName() + " is JDK-internal state: its fields are in package " + type.getPackageName()
                            + ", which module " + type.getModule().getName() + " does not open, and it is not Serializable, so it"
                            + " has no form that can be restored. Do not keep it in checkpointed state (mark the field transient,"
                            + " or keep what is needed to recreate it).");
                case REFUSE_VIEW:
                    return new Refusal(type.getName() + " is a view of another collection that the JDK gives no way to rebuild"
                            + " (no public constructor, not Serializable). Keep the collection itself, or a copy.");
                case REFUSE_LAMBDA:
                    return new Refusal(type.getName() + " is a lambda or method reference: its class is generated at run time"
                            + " and cannot be found again after a restart. Use an instance of a named class instead.");
                default:
                    throw new IllegalArgumentException("not a JDK-internal class: " + type.getName());
            }
        }

        private Verdict verdict(Class<?> type) {
            return verdicts.computeIfAbsent(type, this::decide);
        }

        private Verdict decide(Class<?> type) {
            if (AtomicSerializers.isLambda(type)) {
                return Verdict.REFUSE_LAMBDA;
            }
            if (type.isArray() || type.isPrimitive() || !SerialForm.isJdk(type)) {
                return Verdict.KRYO;
            }
            Serializer<?> stock;
            try {
                stock = BuiltIns.defaultSerializer(type);
            } catch (RuntimeException closed) { // InaccessibleObjectException from Kryo's FieldSerializer
                return Serializable.class.isAssignableFrom(type) ? Verdict.SERIAL_FORM : Verdict.REFUSE_CLOSED;
            }
            if ((stock.getClass() == CollectionSerializer.class || stock.getClass() == MapSerializer.class)
                    && !(Modifier.isPublic(type.getModifiers()) && Shells.hasPublicNoArgConstructor(type))) {
                if (Serializable.class.isAssignableFrom(type)) {
                    return Verdict.SERIAL_FORM;
                }
                return Collection.class.isAssignableFrom(type) || Map.class.isAssignableFrom(type)
                        ? Verdict.REFUSE_VIEW : Verdict.REFUSE_CLOSED;
            }
            if (stock instanceof FieldSerializer && Serializable.class.isAssignableFrom(type)
                    && SerialForm.replacesItself(type)) {
                // A stateless JDK singleton (IsoChronology.INSTANCE, ...): Kryo would make a second one.
                return Verdict.SERIAL_FORM;
            }
            return Verdict.KRYO;
        }
    }

    /** A Kryo with only Kryo's own defaults, asked what it would do with a class; one for all, used under its lock. */
    private static final class BuiltIns {
        private static final Kryo KRYO = new Kryo();

        static Serializer<?> defaultSerializer(Class<?> type) {
            synchronized (KRYO) {
                return KRYO.getDefaultSerializer(type);
            }
        }
    }

    /** Refuses, at write time, a class that cannot be snapshotted. */
    public static final class Refusal extends Serializer<Object> {
        private final String reason;

        public Refusal(String reason) {
            this.reason = reason;
        }

        @Override
        public void write(Kryo kryo, Output output, Object object) {
            throw new KryoException("Cannot snapshot an instance of " + object.getClass().getName() + ": " + reason);
        }

        @Override
        public Object read(Kryo kryo, Input input, Class<?> type) {
            throw new KryoException("Cannot restore an instance of " + type.getName() + ": " + reason);
        }
    }
}
