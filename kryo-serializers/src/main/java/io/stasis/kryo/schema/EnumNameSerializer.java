package io.stasis.kryo.schema;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;

/**
 * Enum constants by name, so that reordering or adding constants in the next version of the
 * application does not change what a snapshot means. A constant that no longer exists is an error
 * that names it.
 */
public final class EnumNameSerializer<E extends Enum<E>> extends Serializer<E> {

    private final Class<E> type;

    public EnumNameSerializer(Class<E> type) {
        super(false, true);
        this.type = type;
    }

    @Override
    public void write(Kryo kryo, Output output, E constant) {
        output.writeString(constant.name());
    }

    @Override
    public E read(Kryo kryo, Input input, Class<? extends E> ignored) {
        String name = input.readString();
        try {
            return Enum.valueOf(type, name);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new KryoException(type.getName() + " has no constant " + name + " any more");
        }
    }
}
