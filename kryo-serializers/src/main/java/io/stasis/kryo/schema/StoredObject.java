package io.stasis.kryo.schema;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * An application object read without its class: the class's name and the fields its stored schema
 * names, with their values (primitives boxed; references as JDK objects or further stored objects),
 * or, for an enum, the constant's name. Equality is identity, so that reading one into a hashed
 * JDK collection runs no code of any kind and costs nothing.
 */
public final class StoredObject {

    private final String type;
    private final String[] names;
    /** Grows as values are read, so that what a schema claims costs nothing before the bytes are there. */
    private final List<Object> values = new ArrayList<>(4);
    private final String constant;

    StoredObject(String type, String[] names) {
        this.type = type;
        this.names = names;
        this.constant = null;
    }

    StoredObject(String type, String constant) {
        this.type = type;
        this.names = new String[0];
        this.constant = constant;
    }

    /** The binary name of the class it was written as. */
    public String type() {
        return type;
    }

    /** The constant's name when this is an enum constant, or null. */
    public String constant() {
        return constant;
    }

    /** The stored field names, in stored order (superclass first). */
    public List<String> names() {
        return Arrays.asList(names);
    }

    /** The values, in the order of {@link #names()} (fewer while it is being read). */
    public List<Object> values() {
        return Collections.unmodifiableList(values);
    }

    void add(Object value) {
        values.add(value);
    }

    @Override
    public String toString() {
        return constant != null ? type + "." + constant : type + names();
    }
}
