package io.stasis.kryo;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.util.ArrayList;
import java.util.List;

/**
 * Several values written as one object graph: a reference shared between them, or a class named
 * by one of them, is written once and read back as such. This is how a snapshot stores the fields
 * of one root.
 */
public final class ValueGraph {

    private ValueGraph() {
    }

    /**
     * Writes the values, in order, into {@code output} (which is reset first) and returns the bytes.
     *
     * @throws GraphWriteException naming the value, and the path inside it, that could not be written
     */
    public static byte[] write(Kryo kryo, Output output, List<?> values) {
        kryo.setAutoReset(false);
        output.reset();
        try {
            for (int i = 0; i < values.size(); i++) {
                try {
                    kryo.writeClassAndObject(output, values.get(i));
                } catch (KryoException e) {
                    throw new GraphWriteException(i, e);
                }
            }
            return output.toBytes();
        } finally {
            kryo.reset();
        }
    }

    /** Reads {@code count} values written by {@link #write}. */
    public static List<Object> read(Kryo kryo, byte[] bytes, int count) {
        kryo.setAutoReset(false);
        try {
            Input input = new Input(bytes);
            List<Object> values = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                values.add(kryo.readClassAndObject(input));
            }
            return values;
        } finally {
            kryo.reset();
        }
    }
}
