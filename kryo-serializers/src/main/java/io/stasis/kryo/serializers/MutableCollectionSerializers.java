package io.stasis.kryo.serializers;

import io.stasis.kryo.Limits;
import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Stack;
import java.util.Vector;

/**
 * java.util collections whose stock Kryo form loses state that their public API shows: the access
 * order of a {@link LinkedHashMap}, the capacity of a {@link Vector}, the key type of an
 * {@link EnumMap}. Each registers the new container before reading its contents, so cycles through
 * it are kept. Only the exact JDK classes are handled; subclasses are application classes.
 */
public final class MutableCollectionSerializers {

    private MutableCollectionSerializers() {
    }

    /** {@link LinkedHashMap}, in insertion or access order (stock Kryo always restores insertion order). */
    public static final class LinkedHashMapSerializer extends Serializer<LinkedHashMap<?, ?>> {
        @Override
        public void write(Kryo kryo, Output output, LinkedHashMap<?, ?> map) {
            output.writeBoolean(SerialForm.accessOrder(map));
            Shells.writeEntries(kryo, output, map);
        }

        @Override
        public LinkedHashMap<?, ?> read(Kryo kryo, Input input, Class<? extends LinkedHashMap<?, ?>> type) {
            LinkedHashMap<Object, Object> map = new LinkedHashMap<>(16, 0.75f, input.readBoolean());
            kryo.reference(map);
            Shells.readEntries(kryo, input, map);
            return map;
        }
    }

    /** {@link Vector} and {@link Stack} with their capacity ({@code capacity()} is public). */
    public static final class VectorSerializer extends Serializer<Vector<?>> {
        @Override
        public void write(Kryo kryo, Output output, Vector<?> vector) {
            output.writeVarInt(Limits.writableCapacity(vector.capacity(), vector.size()), true);
            Shells.writeElements(kryo, output, vector);
        }

        @Override
        public Vector<?> read(Kryo kryo, Input input, Class<? extends Vector<?>> type) {
            int capacity = Limits.capacity(input, input.readVarInt(true));
            Vector<Object> vector;
            if (Stack.class.equals(type)) {
                vector = new Stack<>();
                vector.trimToSize();
                vector.ensureCapacity(capacity);
            } else {
                vector = new Vector<>(capacity);
            }
            kryo.reference(vector);
            Shells.readElements(kryo, input, vector);
            return vector;
        }
    }

    /** {@link EnumMap} with its key type, also when empty (stock Kryo cannot read one back at all). */
    public static final class EnumMapSerializer extends Serializer<EnumMap<?, ?>> {
        @Override
        public void write(Kryo kryo, Output output, EnumMap<?, ?> map) {
            kryo.writeClass(output, SerialForm.enumMapKeyType(map, kryo.getClassLoader()));
            Shells.writeEntries(kryo, output, map);
        }

        @Override
        @SuppressWarnings({"unchecked", "rawtypes"})
        public EnumMap<?, ?> read(Kryo kryo, Input input, Class<? extends EnumMap<?, ?>> type) {
            EnumMap map = new EnumMap(kryo.readClass(input).getType());
            kryo.reference(map);
            Shells.readEntries(kryo, input, map);
            return map;
        }
    }
}
