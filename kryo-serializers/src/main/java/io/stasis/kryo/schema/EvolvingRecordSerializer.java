package io.stasis.kryo.schema;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;

/**
 * Records in the same evolving form as {@link EvolvingSerializer}, rebuilt through their canonical
 * constructor (compact constructors run): a component added since the snapshot gets its type's
 * default value, a removed one is skipped. The constructor is called through a method handle made
 * once per record class, with the stored values read straight into its argument array.
 */
public final class EvolvingRecordSerializer<T> extends Serializer<T> {

    private final LocalSchema local;
    /** The canonical constructor, taking its arguments as one {@code Object[]} and returning an {@code Object}. */
    private final MethodHandle canonical;
    /** For each local field, the constructor argument it is (or -1). */
    private final int[] componentOfField;
    /** What each argument is when the snapshot has no value for it (computed once: reflection is slow). */
    private final Object[] argumentDefaults;
    private final GraphMark<Boolean> schemaWritten = new GraphMark<>();
    private final ReadPlans plans;

    public EvolvingRecordSerializer(Class<T> type) {
        super(false, true);
        this.local = LocalSchema.of(type);
        this.plans = new ReadPlans(local);
        RecordComponent[] components = type.getRecordComponents();
        Class<?>[] parameterTypes = Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new);
        try {
            Constructor<T> constructor = type.getDeclaredConstructor(parameterTypes);
            constructor.setAccessible(true);
            this.canonical = MethodHandles.lookup().unreflectConstructor(constructor)
                    .asSpreader(Object[].class, parameterTypes.length)
                    .asType(MethodType.methodType(Object.class, Object[].class));
        } catch (NoSuchMethodException | IllegalAccessException e) {
            throw new KryoException("record " + type.getName() + " has no canonical constructor this module can call", e);
        }
        this.argumentDefaults = Arrays.stream(parameterTypes).map(EvolvingRecordSerializer::defaultValue).toArray();
        this.componentOfField = new int[local.fields.length];
        for (int i = 0; i < local.fields.length; i++) {
            componentOfField[i] = -1;
            for (int c = 0; c < components.length; c++) {
                if (components[c].getName().equals(local.fields[i].getName())) {
                    componentOfField[i] = c;
                }
            }
        }
    }

    @Override
    public void write(Kryo kryo, Output output, T record) {
        EvolvingSerializer.write(kryo, output, record, local, schemaWritten);
    }

    @Override
    @SuppressWarnings("unchecked")
    public T read(Kryo kryo, Input input, Class<? extends T> type) {
        ReadPlan plan = plans.forGraph(kryo, input);
        Object[] arguments = argumentDefaults.clone();
        plan.readInto(kryo, input, arguments, componentOfField);
        T record;
        try {
            record = (T) canonical.invokeExact(arguments);
        } catch (Throwable e) {
            // What the constructor threw (damaged values, a compact constructor's check): the read fails, naming it.
            throw new KryoException("the constructor of " + type.getName() + " refused the stored values: " + e, e);
        }
        kryo.reference(record);
        return record;
    }

    private static Object defaultValue(Class<?> type) {
        if (!type.isPrimitive()) {
            return null;
        }
        return java.lang.reflect.Array.get(java.lang.reflect.Array.newInstance(type, 1), 0);
    }
}
