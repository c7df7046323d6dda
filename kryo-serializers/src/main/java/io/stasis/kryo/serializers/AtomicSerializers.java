package io.stasis.kryo.serializers;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Serializers for the {@code java.util.concurrent.atomic} holders, which stock Kryo cannot write
 * on JDK 17 and later (their value field sits in a closed module).
 */
public final class AtomicSerializers {

    private AtomicSerializers() {
    }

    public static final class AtomicIntegerSerializer extends Serializer<AtomicInteger> {
        @Override
        public void write(Kryo kryo, Output output, AtomicInteger value) {
            output.writeInt(value.get());
        }

        @Override
        public AtomicInteger read(Kryo kryo, Input input, Class<? extends AtomicInteger> type) {
            return new AtomicInteger(input.readInt());
        }

        @Override
        public AtomicInteger copy(Kryo kryo, AtomicInteger original) {
            return new AtomicInteger(original.get());
        }
    }

    public static final class AtomicLongSerializer extends Serializer<AtomicLong> {
        @Override
        public void write(Kryo kryo, Output output, AtomicLong value) {
            output.writeLong(value.get());
        }

        @Override
        public AtomicLong read(Kryo kryo, Input input, Class<? extends AtomicLong> type) {
            return new AtomicLong(input.readLong());
        }

        @Override
        public AtomicLong copy(Kryo kryo, AtomicLong original) {
            return new AtomicLong(original.get());
        }
    }

    public static final class AtomicBooleanSerializer extends Serializer<AtomicBoolean> {
        @Override
        public void write(Kryo kryo, Output output, AtomicBoolean value) {
            output.writeBoolean(value.get());
        }

        @Override
        public AtomicBoolean read(Kryo kryo, Input input, Class<? extends AtomicBoolean> type) {
            return new AtomicBoolean(input.readBoolean());
        }

        @Override
        public AtomicBoolean copy(Kryo kryo, AtomicBoolean original) {
            return new AtomicBoolean(original.get());
        }
    }

    /** Registers the holder before its value, so a value that refers back to it stays a cycle. */
    public static final class AtomicReferenceSerializer extends Serializer<AtomicReference<Object>> {
        @Override
        public void write(Kryo kryo, Output output, AtomicReference<Object> value) {
            kryo.writeClassAndObject(output, value.get());
        }

        @Override
        public AtomicReference<Object> read(Kryo kryo, Input input, Class<? extends AtomicReference<Object>> type) {
            AtomicReference<Object> holder = new AtomicReference<>();
            kryo.reference(holder);
            holder.set(kryo.readClassAndObject(input));
            return holder;
        }
    }
}
