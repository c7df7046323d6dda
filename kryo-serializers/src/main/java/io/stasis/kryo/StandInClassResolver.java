package io.stasis.kryo;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Registration;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.util.IntMap;
import io.stasis.kryo.schema.StoredObject;
import io.stasis.kryo.schema.StoredObjectSerializer;

/**
 * Class resolution for reading a graph without the application's classes: a JDK class the
 * allow-list admits is loaded as usual, any other name gets a stand-in that reads its objects as
 * {@link StoredObject}s, and is never looked up. An array of such a class reads as {@code Object[]}.
 *
 * <p>Whether the class was written as an enum constant shows in the byte after its name: a class
 * name is written the first time an object of it appears in the graph (alone, or as the type of
 * all elements of a collection), and for any class but an enum the object's reference marker
 * follows, {@link Kryo#NOT_NULL} (or {@link Kryo#NULL} for a collection's null element): bytes no
 * string starts with. (A collection of one enum with a null among them is taken for objects, and
 * fails to read.)
 */
final class StandInClassResolver extends AllowListClassResolver {

    /** Stands for an enum written by name: Kryo tracks no references for enums. */
    private enum Constant {
    }

    private final IntMap<Registration> standIns = new IntMap<>();
    /**
     * The stand-in read last. A collection whose elements all have one class names it once and then
     * asks for the serializer of the type it got ({@code getSerializer(StoredObject.class)}): that
     * is this one, as nothing is read in between.
     */
    private Registration last;

    StandInClassResolver() {
        super(AllowedClasses.jdk());
    }

    @Override
    protected Registration readName(Input input) {
        int start = input.position();
        int nameId = input.readVarInt(true);
        Registration standIn = standIns.get(nameId);
        if (standIn != null) {
            last = standIn;
            return standIn;
        }
        if (nameIdToClass != null && nameIdToClass.containsKey(nameId)) {
            input.setPosition(start);
            return super.readName(input);
        }
        String className = input.readString();
        if (className == null || allowed().allows(className)) {
            input.setPosition(start);
            return super.readName(input);
        }
        if (className.startsWith("[")) {
            standIn = kryo.getRegistration(Object[].class);
        } else {
            byte next = input.position() < input.limit() ? input.getBuffer()[input.position()] : -1;
            boolean object = next == Kryo.NOT_NULL || next == Kryo.NULL;
            standIn = new Registration(object ? StoredObject.class : Constant.class,
                    new StoredObjectSerializer(className, !object), NAME);
        }
        standIns.put(nameId, standIn);
        last = standIn;
        return standIn;
    }

    @Override
    public Registration getRegistration(Class type) {
        if (type == StoredObject.class || type == Constant.class) {
            if (last == null || last.getType() != type) {
                throw new KryoException("damaged input: a stand-in for an application class was asked for before any");
            }
            return last;
        }
        return super.getRegistration(type);
    }

    @Override
    public void reset() {
        super.reset();
        if (!kryo.isRegistrationRequired()) {
            standIns.clear();
            last = null;
        }
    }
}
