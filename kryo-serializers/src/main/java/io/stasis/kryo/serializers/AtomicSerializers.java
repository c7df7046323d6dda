package io.stasis.kryo.serializers;

import io.stasis.kryo.Limits;
import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.KryoException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicMarkableReference;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.AtomicStampedReference;
import java.util.concurrent.atomic.DoubleAccumulator;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

/**
 * Serializers for the {@code java.util.concurrent.atomic} holders, which stock Kryo cannot write
 * on JDK 17 and later (their value field sits in a closed module). Holders of references are
 * registered before their values are read, so a value that refers back to its holder stays a cycle.
 *
 * <p>{@link LongAccumulator} and {@link DoubleAccumulator} keep their value, identity and function.
 * The function is an object like any other and must itself be restorable: an instance of a named
 * class is; a lambda or method reference ({@code Math::max}) is a hidden class that cannot be found
 * again by name, so writing an accumulator that holds one fails at write time with a
 * {@link KryoException} that says so (it is never silently dropped).
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

    public static final class AtomicIntegerArraySerializer extends Serializer<AtomicIntegerArray> {
        @Override
        public void write(Kryo kryo, Output output, AtomicIntegerArray array) {
            output.writeVarInt(array.length(), true);
            for (int i = 0; i < array.length(); i++) {
                output.writeInt(array.get(i));
            }
        }

        @Override
        public AtomicIntegerArray read(Kryo kryo, Input input, Class<? extends AtomicIntegerArray> type) {
            return new AtomicIntegerArray(input.readInts(input.readVarInt(true)));
        }
    }

    public static final class AtomicLongArraySerializer extends Serializer<AtomicLongArray> {
        @Override
        public void write(Kryo kryo, Output output, AtomicLongArray array) {
            output.writeVarInt(array.length(), true);
            for (int i = 0; i < array.length(); i++) {
                output.writeLong(array.get(i));
            }
        }

        @Override
        public AtomicLongArray read(Kryo kryo, Input input, Class<? extends AtomicLongArray> type) {
            return new AtomicLongArray(input.readLongs(input.readVarInt(true)));
        }
    }

    public static final class AtomicReferenceArraySerializer extends Serializer<AtomicReferenceArray<Object>> {
        @Override
        public void write(Kryo kryo, Output output, AtomicReferenceArray<Object> array) {
            output.writeVarInt(array.length(), true);
            for (int i = 0; i < array.length(); i++) {
                kryo.writeClassAndObject(output, array.get(i));
            }
        }

        @Override
        public AtomicReferenceArray<Object> read(Kryo kryo, Input input, Class<? extends AtomicReferenceArray<Object>> type) {
            AtomicReferenceArray<Object> array = new AtomicReferenceArray<>(Limits.count(input, input.readVarInt(true), 1));
            kryo.reference(array);
            for (int i = 0; i < array.length(); i++) {
                array.set(i, kryo.readClassAndObject(input));
            }
            return array;
        }
    }

    public static final class AtomicMarkableReferenceSerializer extends Serializer<AtomicMarkableReference<Object>> {
        @Override
        public void write(Kryo kryo, Output output, AtomicMarkableReference<Object> holder) {
            boolean[] mark = new boolean[1];
            Object value = holder.get(mark);
            output.writeBoolean(mark[0]);
            kryo.writeClassAndObject(output, value);
        }

        @Override
        public AtomicMarkableReference<Object> read(Kryo kryo, Input input,
                Class<? extends AtomicMarkableReference<Object>> type) {
            boolean mark = input.readBoolean();
            AtomicMarkableReference<Object> holder = new AtomicMarkableReference<>(null, mark);
            kryo.reference(holder);
            holder.set(kryo.readClassAndObject(input), mark);
            return holder;
        }
    }

    public static final class AtomicStampedReferenceSerializer extends Serializer<AtomicStampedReference<Object>> {
        @Override
        public void write(Kryo kryo, Output output, AtomicStampedReference<Object> holder) {
            int[] stamp = new int[1];
            Object value = holder.get(stamp);
            output.writeInt(stamp[0]);
            kryo.writeClassAndObject(output, value);
        }

        @Override
        public AtomicStampedReference<Object> read(Kryo kryo, Input input,
                Class<? extends AtomicStampedReference<Object>> type) {
            int stamp = input.readInt();
            AtomicStampedReference<Object> holder = new AtomicStampedReference<>(null, stamp);
            kryo.reference(holder);
            holder.set(kryo.readClassAndObject(input), stamp);
            return holder;
        }
    }

    /** {@link LongAdder} as its sum. */
    public static final class LongAdderSerializer extends Serializer<LongAdder> {
        @Override
        public void write(Kryo kryo, Output output, LongAdder adder) {
            output.writeVarLong(adder.sum(), false);
        }

        @Override
        public LongAdder read(Kryo kryo, Input input, Class<? extends LongAdder> type) {
            LongAdder adder = new LongAdder();
            adder.add(input.readVarLong(false));
            return adder;
        }
    }

    /** {@link DoubleAdder} as its sum. */
    public static final class DoubleAdderSerializer extends Serializer<DoubleAdder> {
        @Override
        public void write(Kryo kryo, Output output, DoubleAdder adder) {
            output.writeDouble(adder.sum());
        }

        @Override
        public DoubleAdder read(Kryo kryo, Input input, Class<? extends DoubleAdder> type) {
            DoubleAdder adder = new DoubleAdder();
            adder.add(input.readDouble());
            return adder;
        }
    }

    /**
     * {@link LongAccumulator} and {@link DoubleAccumulator}: value, identity and function, through
     * their serial form (the function and identity have no getter). Refuses, at write time, a
     * function that is a lambda or method reference.
     */
    public static <T> SerialFormSerializer<T> accumulatorSerializer() {
        return new SerialFormSerializer<>((kryo, owner, reference) -> {
            if (isLambda(reference.getClass())) {
                throw new KryoException("Cannot snapshot " + owner.getClass().getName() + ": its accumulator function "
                        + reference.getClass().getName() + " is a lambda or method reference, whose class cannot be found "
                        + "again after a restart. Use an instance of a named class implementing "
                        + (owner instanceof LongAccumulator ? "LongBinaryOperator" : "DoubleBinaryOperator") + ".");
            }
        });
    }

    /** A lambda or method reference: a hidden class, which cannot be looked up by name. */
    static boolean isLambda(Class<?> type) {
        return type.isHidden() || (type.isSynthetic() && type.getName().indexOf('/') >= 0);
    }
}
