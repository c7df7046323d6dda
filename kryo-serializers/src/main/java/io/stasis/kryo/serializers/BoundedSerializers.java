package io.stasis.kryo.serializers;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.serializers.CollectionSerializer;
import com.esotericsoftware.kryo.serializers.DefaultArraySerializers.ObjectArraySerializer;
import com.esotericsoftware.kryo.serializers.MapSerializer;
import io.stasis.kryo.Limits;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;

/**
 * Kryo's serializers for the types it sizes by the length the bytes declare ({@code ArrayList},
 * {@code HashSet}, {@code HashMap} and object arrays), with that length checked by
 * {@link Limits#count} first. Other collections and maps grow as their elements are read.
 */
public final class BoundedSerializers {

    private BoundedSerializers() {
    }

    /** Adds them as default serializers, behind every more specific one already added. */
    public static void addTo(Kryo kryo) {
        kryo.addDefaultSerializer(ArrayList.class, BoundedCollectionSerializer.class);
        kryo.addDefaultSerializer(HashSet.class, BoundedCollectionSerializer.class);
        kryo.addDefaultSerializer(HashMap.class, BoundedMapSerializer.class);
        kryo.addDefaultSerializer(Object[].class, BoundedObjectArraySerializer.class);
    }

    @SuppressWarnings({"rawtypes", "unchecked"})
    public static final class BoundedCollectionSerializer extends CollectionSerializer {
        @Override
        protected Collection create(Kryo kryo, Input input, Class type, int size) {
            return super.create(kryo, input, type, Limits.count(input, size, 1));
        }
    }

    @SuppressWarnings({"rawtypes", "unchecked"})
    public static final class BoundedMapSerializer extends MapSerializer {
        @Override
        protected Map create(Kryo kryo, Input input, Class type, int size) {
            return super.create(kryo, input, type, Limits.count(input, size, 2));
        }
    }

    @SuppressWarnings("rawtypes")
    public static final class BoundedObjectArraySerializer extends ObjectArraySerializer {
        public BoundedObjectArraySerializer(Kryo kryo, Class type) {
            super(kryo, type);
        }

        @Override
        public Object[] read(Kryo kryo, Input input, Class type) {
            int start = input.position();
            int declared = input.readVarInt(true); // length + 1; 0 is null
            if (declared != 0) {
                Limits.count(input, declared - 1, 1);
            }
            input.setPosition(start);
            return super.read(kryo, input, type);
        }
    }
}
