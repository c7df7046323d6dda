package io.stasis.kryo;

import com.esotericsoftware.kryo.io.Input;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;

/**
 * Bounds the hashing that rebuilding one graph can cause. Each object read gets a cost: 1 plus the
 * costs of the objects read while it was being read (its elements, keys, values, fields), with a
 * shared object counted again at every place it is referenced. That is at least the work
 * {@code hashCode} or {@code equals} does on it, for collections and for records and classes that
 * hash their fields alike, while being computed in one step per object read.
 *
 * <p>An object is charged its cost each time it is read into a container that hashes it: an
 * element of a set that is not sorted, a key of a map that is neither sorted nor by identity, or
 * a part of a set, a map or a record read before that exists ({@code Set.of} and serial forms hash
 * what they are built from; a record's constructor is the application's code, which may copy a
 * component into a set). Inserting it costs no more than that. The total must stay within a budget
 * proportional to the input: a tree of {@code n} objects never costs more than {@code n} times its
 * depth, so only shared children nested in each other, which is what makes hashing exponential,
 * can exhaust it. The charge comes when the object has been read, before it is inserted.
 *
 * <p>Not thread-safe: one per Kryo, reset with it.
 */
final class ReadCost {

    /** Charges allowed per byte of input: deeper than any tree a snapshot usually holds. */
    static final long PER_BYTE = 32;
    /** Charges allowed whatever the input's size (a fraction of a second of hashing). */
    static final long AT_LEAST = 1L << 23;

    private static final class Frame {
        long cost = 1;
        /** The class being read, once known. */
        Class<?> type;
        /** The first object registered by this read, once there is one: the container being filled. */
        Object owner;
        int children;
        /** Children read before the owner existed (a header, such as a key set's mapped value). */
        int beforeOwner;

        boolean hashesNextChild() {
            if (owner instanceof Map<?, ?> map) {
                return !(map instanceof SortedMap) && !(map instanceof IdentityHashMap)
                        && (children - beforeOwner) % 2 == 0; // keys and values alternate
            }
            if (owner != null) {
                return owner instanceof Set && !(owner instanceof SortedSet);
            }
            return type == null || type.isRecord() || Set.class.isAssignableFrom(type)
                    && !SortedSet.class.isAssignableFrom(type) || Map.class.isAssignableFrom(type)
                    && !SortedMap.class.isAssignableFrom(type) && type != IdentityHashMap.class;
        }
    }

    private final List<Frame> reading = new ArrayList<>();
    /** Each object registered while being read, with the frame that reads (or read) it. */
    private final Map<Object, Frame> registered = new IdentityHashMap<>();
    private long budget;
    private long spent;

    /** Before a read: the object about to be read, of {@code type} if known, gets a frame. */
    void enter(Input input, Class<?> type) {
        if (budget == 0) {
            long bytes = input.getInputStream() == null ? input.limit() : Integer.MAX_VALUE;
            budget = Math.max(AT_LEAST, Math.multiplyExact(PER_BYTE, Math.max(bytes, 1)));
        }
        Frame frame = new Frame();
        frame.type = type;
        reading.add(frame);
    }

    /** A class read from the input: the first one a read meets is the class of what it reads. */
    void classRead(Class<?> type) {
        if (!reading.isEmpty()) {
            Frame current = reading.get(reading.size() - 1);
            if (current.type == null && current.owner == null && current.children == 0) {
                current.type = type;
            }
        }
    }

    /** An object the current read has made (Kryo registers it for references to it). */
    void registered(Object object) {
        if (object != null && !reading.isEmpty()) {
            Frame current = reading.get(reading.size() - 1);
            if (current.owner == null) {
                current.owner = object;
                current.beforeOwner = current.children;
            }
            registered.putIfAbsent(object, current);
        }
    }

    /**
     * After a read that returned {@code object} (complete, or a reference to one still being read):
     * adds its cost to the object being read around it, and charges it if that one hashes it.
     *
     * @throws GraphTooCostlyException when the budget is exhausted
     */
    void exit(Object object, Input input) {
        Frame own = reading.remove(reading.size() - 1);
        long cost = own.cost;
        if (object != null) {
            Frame first = registered.get(object);
            if (first != null && first != own) {
                cost = Math.max(cost, first.cost); // a reference: what the object held when it was referenced
            }
        }
        if (reading.isEmpty()) {
            return; // a value of the graph itself: nothing hashes it here
        }
        Frame around = reading.get(reading.size() - 1);
        around.cost = Math.min(around.cost + cost, Long.MAX_VALUE / 2);
        if (around.hashesNextChild()) {
            spent = Math.min(spent + cost, Long.MAX_VALUE / 2);
            if (spent > budget) {
                throw new GraphTooCostlyException(budget, input.position());
            }
        }
        around.children++;
    }

    /** After an aborted read: forgets the frame. */
    void abandon() {
        reading.remove(reading.size() - 1);
    }

    void reset() {
        reading.clear();
        registered.clear();
        budget = 0;
        spent = 0;
    }
}
