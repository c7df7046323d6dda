package io.stasis.kryo.serializers;

import com.esotericsoftware.kryo.Kryo;
import io.stasis.kryo.Limits;
import com.esotericsoftware.kryo.Registration;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.serializers.CollectionSerializer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * {@link CopyOnWriteArrayList} and {@link java.util.concurrent.CopyOnWriteArraySet} in Kryo's own
 * collection form (written by {@link CollectionSerializer}, so snapshots written before read the
 * same), read without the quadratic cost: adding to them copies the whole array each time, so
 * {@code n} elements read one by one allocate about {@code n²} references, a gigabyte for the
 * elements a few kilobytes of hostile bytes can claim. The elements are read into a list and added
 * at once; the collection itself is registered first, as Kryo does, so a reference to it from
 * inside resolves to it.
 */
@SuppressWarnings({"rawtypes", "unchecked"})
final class CopyOnWriteSerializer extends CollectionSerializer<Collection> {

    private final Supplier<Collection<Object>> empty;

    CopyOnWriteSerializer(Supplier<Collection<Object>> empty) {
        this.empty = empty;
    }

    @Override
    public Collection read(Kryo kryo, Input input, Class<? extends Collection> type) {
        Class elementClass = null;
        Serializer elementSerializer = null;
        Class genericClass = kryo.getGenerics().nextGenericClass();
        if (genericClass != null && kryo.isFinal(genericClass)) {
            elementSerializer = kryo.getSerializer(genericClass);
            elementClass = genericClass;
        }
        try {
            boolean elementsCanBeNull = true;
            int length;
            if (elementSerializer != null) {
                elementsCanBeNull = input.readVarIntFlag();
                length = bounded(input, input.readVarIntFlag(true));
            } else {
                boolean sameType = input.readVarIntFlag();
                length = bounded(input, input.readVarIntFlag(true));
                if (length > 1 && sameType) {
                    Collection<Object> list = register(kryo);
                    Registration registration = kryo.readClass(input);
                    if (registration == null) { // all elements are null
                        list.addAll(java.util.Collections.nCopies(length - 1, null));
                        return list;
                    }
                    elementClass = registration.getType();
                    elementSerializer = kryo.getSerializer(elementClass);
                    elementsCanBeNull = input.readBoolean();
                    return fill(kryo, input, list, length - 1, elementClass, elementSerializer, elementsCanBeNull);
                }
            }
            if (length == 0) {
                return null;
            }
            return fill(kryo, input, register(kryo), length - 1, elementClass, elementSerializer, elementsCanBeNull);
        } finally {
            kryo.getGenerics().popGenericType();
        }
    }

    /** The declared length (elements + 1, 0 for null), believed as far as the bytes left could hold the elements, as for any list. */
    private static int bounded(Input input, int length) {
        if (length > 1) {
            Limits.count(input, length - 1, 1);
        }
        return length;
    }

    private Collection<Object> register(Kryo kryo) {
        Collection<Object> list = empty.get();
        kryo.reference(list);
        return list;
    }

    private static Collection fill(Kryo kryo, Input input, Collection<Object> list, int length,
                                   Class elementClass, Serializer elementSerializer, boolean elementsCanBeNull) {
        List<Object> elements = new ArrayList<>(Math.min(length, 1024));
        for (int i = 0; i < length; i++) {
            if (elementSerializer == null) {
                elements.add(kryo.readClassAndObject(input));
            } else if (elementsCanBeNull) {
                elements.add(kryo.readObjectOrNull(input, elementClass, elementSerializer));
            } else {
                elements.add(kryo.readObject(input, elementClass, elementSerializer));
            }
        }
        list.addAll(elements);
        return list;
    }
}
