package io.stasis.kryo.serializers;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.stasis.kryo.NotSnapshottableException;

/** For types whose instances stand for something outside the heap: refuses them when written. */
public final class RefusingSerializer extends Serializer<Object> {

    private final String reason;

    public RefusingSerializer(String reason) {
        this.reason = reason;
    }

    @Override
    public void write(Kryo kryo, Output output, Object value) {
        throw new NotSnapshottableException(value.getClass(), reason);
    }

    @Override
    public Object read(Kryo kryo, Input input, Class<?> type) {
        throw new NotSnapshottableException(type, reason);
    }
}
