package io.stasis.kryo.schema;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;

/**
 * Reads what {@link EvolvingSerializer}, {@link EvolvingRecordSerializer} or
 * {@link EnumNameSerializer} wrote for one class, without that class: into {@link StoredObject}s,
 * through the schema stored with the first object of the class. One instance per class name and
 * object graph. It never loads, initializes or runs anything of the class.
 */
public final class StoredObjectSerializer extends Serializer<StoredObject> {

    private static final int MAX_NAME = 1_000;

    private final String type;
    private final boolean constant;
    private LocalSchema.Stored schema;

    /**
     * @param type     the class name the graph gives
     * @param constant whether it was written as an enum constant (by name, without a reference)
     */
    public StoredObjectSerializer(String type, boolean constant) {
        super(false, constant);
        this.type = type;
        this.constant = constant;
    }

    @Override
    public void write(Kryo kryo, Output output, StoredObject object) {
        throw new KryoException("stored objects are only read");
    }

    @Override
    public StoredObject read(Kryo kryo, Input input, Class<? extends StoredObject> ignored) {
        if (constant) {
            return new StoredObject(type, input.readString());
        }
        if (schema == null) {
            schema = LocalSchema.Stored.read(input, EvolvingSerializer.MAX_FIELDS);
            for (String name : schema.names()) {
                if (!plausible(name)) {
                    throw new KryoException(type + " was not written in the schema form of application classes"
                            + " (a subclass of a JDK collection, map or exception?): its values need the class itself");
                }
            }
        }
        StoredObject object = new StoredObject(type, schema.names());
        kryo.reference(object);
        for (int i = 0; i < schema.kinds().length; i++) {
            object.add(schema.kinds()[i].read(kryo, input));
        }
        return object;
    }

    /** A field name as {@link LocalSchema} writes it: an identifier, or a declaring class's name, a dot and one. */
    private static boolean plausible(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_NAME || !Character.isJavaIdentifierStart(name.charAt(0))) {
            return false;
        }
        return name.chars().allMatch(c -> Character.isJavaIdentifierPart(c) || c == '.');
    }
}
