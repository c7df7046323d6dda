package io.stasis.kryo.schema;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.Input;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How to read objects stored under one stored schema into the local class: which local field each
 * stored value goes to, converted how. Made once per stored schema and class (see {@link ReadPlans});
 * fields the class no longer has are read and dropped, fields it gained keep their constructor
 * values. Everything that depends only on the two schemas is decided here, once, so that reading an
 * object is a loop over precomputed modes: a primitive stored as it is declared goes straight into
 * its field, unboxed, and needs no check.
 */
final class ReadPlan {

    private enum Mode { SAME, REFERENCE, CONVERT, DISCARD }

    private static final Map<Class<?>, Kind> KIND_OF_BOX = Map.of(Boolean.class, Kind.BOOLEAN, Byte.class, Kind.BYTE,
            Character.class, Kind.CHAR, Short.class, Kind.SHORT, Integer.class, Kind.INT, Long.class, Kind.LONG,
            Float.class, Kind.FLOAT, Double.class, Kind.DOUBLE);

    private final LocalSchema local;
    private final Kind[] stored;
    private final int[] target;
    private final Mode[] modes;
    /** What this plan found the local classes cannot take, reported again for every graph it reads. */
    private final List<String> problems;

    private ReadPlan(LocalSchema local, Kind[] stored, int[] target, Mode[] modes, List<String> problems) {
        this.local = local;
        this.stored = stored;
        this.target = target;
        this.modes = modes;
        this.problems = problems;
    }

    static ReadPlan of(LocalSchema.Stored schema, LocalSchema local) {
        int n = schema.names().length;
        int[] target = new int[n];
        Mode[] modes = new Mode[n];
        List<String> problems = new ArrayList<>();
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
                problems.add(describe(local, j) + " was " + from.type.getName() + " and is now "
                        + to.type.getName() + ", which does not hold every " + from.type.getName()
                        + " value; the stored value is not restored");
                modes[i] = Mode.DISCARD;
            } else {
                modes[i] = Mode.CONVERT;
            }
        }
        return new ReadPlan(local, schema.kinds(), target, modes, List.copyOf(problems));
    }

    /** Reports this plan's problems for the graph being read. */
    void report(Kryo kryo) {
        for (String problem : problems) {
            Problems.report(kryo, problem);
        }
    }

    /** Reads the stored values into {@code object}'s fields. */
    void readInto(Kryo kryo, Input input, Object object) {
        for (int i = 0; i < stored.length; i++) {
            int j = target[i];
            try {
                switch (modes[i]) {
                    case SAME -> readSame(input, local.fields[j], object, stored[i]);
                    case REFERENCE -> assign(kryo, j, object, kryo.readClassAndObject(input));
                    case CONVERT -> assign(kryo, j, object, convert(local.kinds[j], stored[i].read(kryo, input)));
                    default -> stored[i].read(kryo, input);
                }
            } catch (IllegalAccessException e) {
                throw new KryoException("cannot set " + describe(local, j), e);
            }
        }
    }

    /**
     * Reads the stored values into constructor arguments: the value of local field {@code j} goes to
     * {@code arguments[slot[j]]}, unless {@code slot[j]} is negative.
     */
    void readInto(Kryo kryo, Input input, Object[] arguments, int[] slot) {
        for (int i = 0; i < stored.length; i++) {
            int j = target[i];
            switch (modes[i]) {
                case SAME -> put(arguments, slot, j, stored[i].read(kryo, input));
                case REFERENCE -> {
                    Object value = kryo.readClassAndObject(input);
                    if (accepts(kryo, j, value)) {
                        put(arguments, slot, j, value);
                    }
                }
                case CONVERT -> {
                    Object value = convert(local.kinds[j], stored[i].read(kryo, input));
                    if (accepts(kryo, j, value)) {
                        put(arguments, slot, j, value);
                    }
                }
                default -> stored[i].read(kryo, input);
            }
        }
    }

    private static void put(Object[] arguments, int[] slot, int j, Object value) {
        if (slot[j] >= 0) {
            arguments[slot[j]] = value;
        }
    }

    private void assign(Kryo kryo, int j, Object object, Object value) throws IllegalAccessException {
        if (accepts(kryo, j, value)) {
            local.fields[j].set(object, value);
        }
    }

    /** Whether field {@code j} can take {@code value} (a primitive field: a box of its own kind, after {@link #convert}). */
    private boolean accepts(Kryo kryo, int j, Object value) {
        Field field = local.fields[j];
        Class<?> type = field.getType();
        boolean fits = type.isPrimitive()
                ? value != null && KIND_OF_BOX.get(value.getClass()) == local.kinds[j]
                : value == null || type.isInstance(value);
        if (!fits) {
            Problems.report(kryo, describe(local, j) + " is now " + type.getTypeName() + " but the snapshot holds a "
                    + (value == null ? "null" : value.getClass().getName()) + "; the stored value is not restored");
        }
        return fits;
    }

    /** A stored primitive (or a boxed one a reference held) widened to a primitive field's kind, where Java widens it. */
    private static Object convert(Kind to, Object value) {
        Kind from = value == null ? null : KIND_OF_BOX.get(value.getClass());
        if (to == Kind.REFERENCE || from == null || from == to || !from.widensTo(to)) {
            return value;
        }
        long integral = value instanceof Character c ? c : value instanceof Number n ? n.longValue() : 0;
        return switch (to) {
            case SHORT -> (short) integral;
            case INT -> (int) integral;
            case LONG -> integral;
            case FLOAT -> from == Kind.FLOAT || from == Kind.DOUBLE ? ((Number) value).floatValue() : (float) integral;
            case DOUBLE -> from == Kind.FLOAT || from == Kind.DOUBLE ? ((Number) value).doubleValue() : (double) integral;
            default -> value;
        };
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
