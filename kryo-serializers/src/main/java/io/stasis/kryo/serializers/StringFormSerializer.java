package io.stasis.kryo.serializers;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.util.function.Function;

/**
 * For immutable values whose {@code toString()} is their canonical, parseable form (UUID, URI,
 * File): written as that string and read back through the parser.
 */
public final class StringFormSerializer<T> extends Serializer<T> {

    private final Function<String, T> parser;

    public StringFormSerializer(Function<String, T> parser) {
        super(false, true);
        this.parser = parser;
    }

    @Override
    public void write(Kryo kryo, Output output, T value) {
        output.writeString(value.toString());
    }

    @Override
    public T read(Kryo kryo, Input input, Class<? extends T> type) {
        return parser.apply(input.readString());
    }
}
