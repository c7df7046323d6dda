package io.stasis.kryo.schema;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import java.util.Map;

/** How a field's value is stored: a primitive in its compact form, or a reference with its class. */
enum Kind {
    REFERENCE(Object.class),
    BOOLEAN(boolean.class),
    BYTE(byte.class),
    CHAR(char.class),
    SHORT(short.class),
    INT(int.class),
    LONG(long.class),
    FLOAT(float.class),
    DOUBLE(double.class);

    private static final Kind[] VALUES = values();
    private static final Map<Kind, Integer> WIDENING_RANK = Map.of(BYTE, 1, SHORT, 2, INT, 3, LONG, 4, FLOAT, 5, DOUBLE, 6);

    final Class<?> type;

    Kind(Class<?> type) {
        this.type = type;
    }

    static Kind of(Class<?> fieldType) {
        for (Kind kind : VALUES) {
            if (kind.type == fieldType) {
                return kind;
            }
        }
        return REFERENCE;
    }

    static Kind read(Input input) {
        int ordinal = input.readByte();
        if (ordinal < 0 || ordinal >= VALUES.length) {
            throw new com.esotericsoftware.kryo.KryoException("unknown field kind " + ordinal + " in a class schema");
        }
        return VALUES[ordinal];
    }

    /** Whether Java widens a value of this primitive kind to {@code target} (JLS 5.1.2). */
    boolean widensTo(Kind target) {
        if (this == target) {
            return true;
        }
        if (this == CHAR) {
            return target == INT || target == LONG || target == FLOAT || target == DOUBLE;
        }
        Integer from = WIDENING_RANK.get(this);
        Integer to = WIDENING_RANK.get(target);
        return from != null && to != null && from < to && !(this == BYTE && target == CHAR);
    }

    /** Reads a value of this kind, boxed. */
    Object read(Kryo kryo, Input input) {
        return switch (this) {
            case BOOLEAN -> input.readBoolean();
            case BYTE -> input.readByte();
            case CHAR -> input.readChar();
            case SHORT -> input.readShort();
            case INT -> input.readVarInt(false);
            case LONG -> input.readVarLong(false);
            case FLOAT -> input.readFloat();
            case DOUBLE -> input.readDouble();
            default -> kryo.readClassAndObject(input);
        };
    }
}
