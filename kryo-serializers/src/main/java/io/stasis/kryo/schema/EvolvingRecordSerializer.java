package io.stasis.kryo.schema;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;

/**
 * Records in the same evolving form as {@link EvolvingSerializer}, rebuilt through their canonical
 * constructor (compact constructors run): a component added since the snapshot gets its type's
 * default value, a removed one is skipped.
 */
public final class EvolvingRecordSerializer<T> extends Serializer<T> {

    private final LocalSchema local;
    private final Constructor<T> canonical;
    private final int[] componentOfField;
    /** What a field or parameter holds when the snapshot has no value for it (computed once: reflection is slow). */
    private final Object[] fieldDefaults;
    private final Object[] argumentDefaults;
    private final Object writtenKey = new Object();
    private final Object planKey = new Object();

    public EvolvingRecordSerializer(Class<T> type) {
        super(false, true);
        this.local = LocalSchema.of(type);
        RecordComponent[] components = type.getRecordComponents();
        Class<?>[] parameterTypes = Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new);
        try {
            this.canonical = type.getDeclaredConstructor(parameterTypes);
            canonical.setAccessible(true);
        } catch (NoSuchMethodException e) {
            throw new KryoException("record " + type.getName() + " has no canonical constructor", e);
        }
        this.fieldDefaults = Arrays.stream(local.fields).map(f -> defaultValue(f.getType())).toArray();
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
        EvolvingSerializer.write(kryo, output, record, local, writtenKey);
    }

    @Override
    public T read(Kryo kryo, Input input, Class<? extends T> type) {
        ReadPlan plan = EvolvingSerializer.plan(kryo, input, local, planKey);
        Object[] values = fieldDefaults.clone();
        plan.readInto(kryo, input, values);
        Object[] arguments = argumentDefaults.clone();
        for (int i = 0; i < values.length; i++) {
            if (componentOfField[i] >= 0) {
                arguments[componentOfField[i]] = values[i];
            }
        }
        try {
            T record = canonical.newInstance(arguments);
            kryo.reference(record);
            return record;
        } catch (InvocationTargetException e) {
            throw new KryoException("the constructor of " + type.getName() + " refused the stored values: "
                    + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new KryoException("cannot construct " + type.getName(), e);
        }
    }

    private static Object defaultValue(Class<?> type) {
        if (!type.isPrimitive()) {
            return null;
        }
        return java.lang.reflect.Array.get(java.lang.reflect.Array.newInstance(type, 1), 0);
    }
}
