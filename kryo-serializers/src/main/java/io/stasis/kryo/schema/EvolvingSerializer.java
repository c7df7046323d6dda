package io.stasis.kryo.schema;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.lang.reflect.Field;

/**
 * Application objects in a form that survives the next version of the application. The class's
 * schema (field names and kinds) is written the first time the class appears in an object graph;
 * after that each object is only its values, in schema order: primitives in their compact form,
 * references with their class. Reading maps stored fields to local ones by name (or an earlier name
 * from {@code @RenamedFrom}): added fields keep their constructor values, removed ones are skipped,
 * primitives widen ({@code int} to {@code long}, {@code float} to {@code double}), and a reference
 * restores into any field whose type accepts it. Anything else is reported through
 * {@link Problems}, never misread.
 */
public final class EvolvingSerializer<T> extends Serializer<T> {

    static final int MAX_FIELDS = 65_536;

    private final LocalSchema local;
    private final GraphMark<Boolean> schemaWritten = new GraphMark<>();
    private final ReadPlans plans;

    public EvolvingSerializer(Class<T> type) {
        this.local = LocalSchema.of(type);
        this.plans = new ReadPlans(local);
    }

    @Override
    public void write(Kryo kryo, Output output, T object) {
        write(kryo, output, object, local, schemaWritten);
    }

    @Override
    public T read(Kryo kryo, Input input, Class<? extends T> type) {
        ReadPlan plan = plans.forGraph(kryo, input);
        T object = kryo.newInstance(type);
        kryo.reference(object);
        plan.readInto(kryo, input, object);
        return object;
    }

    /** The schema, the first time the class appears in the graph, then the object's values. */
    static void write(Kryo kryo, Output output, Object object, LocalSchema local, GraphMark<Boolean> schemaWritten) {
        if (schemaWritten.get(kryo) == null) {
            schemaWritten.set(kryo, Boolean.TRUE);
            local.write(output);
        }
        Field[] fields = local.fields;
        for (int i = 0; i < fields.length; i++) {
            try {
                writeValue(kryo, output, fields[i], object, local.kinds[i]);
            } catch (KryoException e) {
                e.addTrace(fields[i].getName() + " (" + local.type.getName() + ")");
                throw e;
            } catch (IllegalAccessException | RuntimeException e) {
                KryoException failure = new KryoException(e);
                failure.addTrace(fields[i].getName() + " (" + local.type.getName() + ")");
                throw failure;
            }
        }
    }

    private static void writeValue(Kryo kryo, Output output, Field field, Object object, Kind kind) throws IllegalAccessException {
        switch (kind) {
            case BOOLEAN -> output.writeBoolean(field.getBoolean(object));
            case BYTE -> output.writeByte(field.getByte(object));
            case CHAR -> output.writeChar(field.getChar(object));
            case SHORT -> output.writeShort(field.getShort(object));
            case INT -> output.writeVarInt(field.getInt(object), false);
            case LONG -> output.writeVarLong(field.getLong(object), false);
            case FLOAT -> output.writeFloat(field.getFloat(object));
            case DOUBLE -> output.writeDouble(field.getDouble(object));
            default -> kryo.writeClassAndObject(output, field.get(object));
        }
    }
}
