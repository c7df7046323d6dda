package io.stasis.kryo.schema;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.Input;
import java.lang.reflect.Field;

/**
 * How to read objects stored under one stored schema into the local class: which local field each
 * stored value goes to, converted how. Made once per class and object graph; fields the class no
 * longer has are read and dropped, fields it gained keep their constructor values.
 */
final class ReadPlan {

    private enum Mode { SAME, REFERENCE, CONVERT, DISCARD }

    private final LocalSchema local;
    private final Kind[] stored;
    private final int[] target;
    private final Mode[] modes;

    private ReadPlan(LocalSchema local, Kind[] stored, int[] target, Mode[] modes) {
        this.local = local;
        this.stored = stored;
        this.target = target;
        this.modes = modes;
    }

    static ReadPlan of(Kryo kryo, LocalSchema.Stored schema, LocalSchema local) {
        int n = schema.names().length;
        int[] target = new int[n];
        Mode[] modes = new Mode[n];
        for (int i = 0; i < n; i++) {
            int j = local.indexOf(schema.names()[i]);
            Kind from = schema.kinds()[i];
            target[i] = j;
            if (j < 0) {
                modes[i] = Mode.DISCARD;
                continue;
            }
            Kind to = local.kinds[j];
            if (from == to) {
                modes[i] = from == Kind.REFERENCE ? Mode.REFERENCE : Mode.SAME;
            } else if (from != Kind.REFERENCE && to != Kind.REFERENCE && !from.widensTo(to)) {
                Problems.report(kryo, describe(local, j) + " was " + from.type.getName() + " and is now "
                        + to.type.getName() + ", which does not hold every " + from.type.getName()
                        + " value; the stored value is not restored");
                modes[i] = Mode.DISCARD;
            } else {
                modes[i] = Mode.CONVERT;
            }
        }
        return new ReadPlan(local, schema.kinds(), target, modes);
    }

    /** Reads the stored values into {@code object}'s fields. */
    void readInto(Kryo kryo, Input input, Object object) {
        for (int i = 0; i < stored.length; i++) {
            int j = target[i];
            try {
                switch (modes[i]) {
                    case SAME -> readSame(input, local.fields[j], object, stored[i]);
                    case REFERENCE -> assign(kryo, j, object, kryo.readClassAndObject(input));
                    case CONVERT -> assign(kryo, j, object, stored[i].read(kryo, input));
                    default -> stored[i].read(kryo, input);
                }
            } catch (IllegalAccessException e) {
                throw new KryoException("cannot set " + describe(local, j), e);
            }
        }
    }

    /** Reads the stored values into constructor arguments, one per local field. */
    void readInto(Kryo kryo, Input input, Object[] arguments) {
        for (int i = 0; i < stored.length; i++) {
            Object value = stored[i].read(kryo, input);
            int j = target[i];
            if (modes[i] != Mode.DISCARD && accepts(kryo, j, value)) {
                arguments[j] = convert(local.kinds[j], value);
            }
        }
    }

    private void assign(Kryo kryo, int j, Object object, Object value) throws IllegalAccessException {
        if (accepts(kryo, j, value)) {
            local.fields[j].set(object, value);
        }
    }

    private boolean accepts(Kryo kryo, int j, Object value) {
        Field field = local.fields[j];
        Class<?> type = field.getType();
        boolean fits = type.isPrimitive()
                ? value != null && Kind.of(primitiveOf(value.getClass())).widensTo(local.kinds[j])
                : value == null || type.isInstance(value);
        if (!fits) {
            Problems.report(kryo, describe(local, j) + " is now " + type.getTypeName() + " but the snapshot holds a "
                    + (value == null ? "null" : value.getClass().getName()) + "; the stored value is not restored");
        }
        return fits;
    }

    private static Object convert(Kind to, Object value) {
        if (to == Kind.REFERENCE || !(value instanceof Number || value instanceof Character)) {
            return value;
        }
        long integral = value instanceof Character c ? c : ((Number) value).longValue();
        return switch (to) {
            case SHORT -> (short) integral;
            case INT -> (int) integral;
            case LONG -> integral;
            case FLOAT -> value instanceof Double || value instanceof Float ? ((Number) value).floatValue() : (float) integral;
            case DOUBLE -> value instanceof Double || value instanceof Float ? ((Number) value).doubleValue() : (double) integral;
            default -> value;
        };
    }

    private static Class<?> primitiveOf(Class<?> boxed) {
        for (Kind kind : Kind.values()) {
            if (kind != Kind.REFERENCE && java.lang.invoke.MethodType.methodType(kind.type).wrap().returnType() == boxed) {
                return kind.type;
            }
        }
        return Object.class;
    }

    private static void readSame(Input input, Field field, Object object, Kind kind) throws IllegalAccessException {
        switch (kind) {
            case BOOLEAN -> field.setBoolean(object, input.readBoolean());
            case BYTE -> field.setByte(object, input.readByte());
            case CHAR -> field.setChar(object, input.readChar());
            case SHORT -> field.setShort(object, input.readShort());
            case INT -> field.setInt(object, input.readVarInt(false));
            case LONG -> field.setLong(object, input.readVarLong(false));
            case FLOAT -> field.setFloat(object, input.readFloat());
            case DOUBLE -> field.setDouble(object, input.readDouble());
            default -> throw new IllegalStateException(kind.name());
        }
    }

    private static String describe(LocalSchema local, int j) {
        return local.type.getName() + "." + local.names[j];
    }
}
