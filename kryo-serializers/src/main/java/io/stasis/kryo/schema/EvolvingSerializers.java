package io.stasis.kryo.schema;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.SerializerFactory;
import com.esotericsoftware.kryo.serializers.FieldSerializer;

/**
 * Installs the evolving forms: application classes and records through their schema, enums by
 * name. JDK classes keep Kryo's own serializers (or this module's), whose forms do not change
 * between application versions.
 */
public final class EvolvingSerializers implements SerializerFactory<Serializer<?>> {

    private EvolvingSerializers() {
    }

    public static void addTo(Kryo kryo) {
        kryo.setDefaultSerializer(new EvolvingSerializers());
        kryo.addDefaultSerializer(Enum.class, new SerializerFactory.BaseSerializerFactory<Serializer<?>>() {
            @Override
            @SuppressWarnings({"unchecked", "rawtypes"})
            public Serializer<?> newSerializer(Kryo kryo, Class type) {
                return new EnumNameSerializer(type);
            }
        });
        kryo.addDefaultSerializer(Record.class, new SerializerFactory.BaseSerializerFactory<Serializer<?>>() {
            @Override
            @SuppressWarnings({"unchecked", "rawtypes"})
            public Serializer<?> newSerializer(Kryo kryo, Class type) {
                return new EvolvingRecordSerializer(type);
            }
        });
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public Serializer<?> newSerializer(Kryo kryo, Class type) {
        if (isJdk(type)) {
            return new FieldSerializer<>(kryo, type);
        }
        return new EvolvingSerializer(type);
    }

    @Override
    public boolean isSupported(Class type) {
        return true;
    }

    private static boolean isJdk(Class<?> type) {
        String name = type.getName();
        return name.startsWith("java.") || name.startsWith("javax.") || name.startsWith("jdk.")
                || name.startsWith("sun.") || name.startsWith("com.sun.");
    }
}
