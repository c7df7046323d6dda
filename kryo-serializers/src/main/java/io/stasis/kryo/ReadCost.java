package io.stasis.kryo;

import com.esotericsoftware.kryo.io.Input;
import java.util.Arrays;
import java.util.IdentityHashMap;
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
    /** Charges allowed whatever the input's size: about a second of hashing at worst, measured on a busy machine. */
    static final long AT_LEAST = 1L << 23;

    /** The charges allowed for rebuilding a graph from {@code bytes} bytes. */
    static long budget(long bytes) {
        return Math.max(AT_LEAST, Math.multiplyExact(PER_BYTE, Math.max(bytes, 1)));
    }

    /** Whether {@code type}, read before its object exists, hashes its parts (so: whether it hashes what it holds at all). */
    static boolean hashesParts(Class<?> type) {
        return HASHES_PARTS.get(type);
    }

    /** Whether a class, read before its object exists, hashes its parts: records, and sets and maps that hash. */
    private static final ClassValue<Boolean> HASHES_PARTS = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
            return type.isRecord() || Set.class.isAssignableFrom(type) && !SortedSet.class.isAssignableFrom(type)
                    || Map.class.isAssignableFrom(type) && !SortedMap.class.isAssignableFrom(type)
                    && type != IdentityHashMap.class;
        }
    };

    /** One read in progress. Frames are reused by depth: a graph of millions of objects allocates a few. */
    private static final class Frame {
        long cost;
        /** The class being read, once known. */
        Class<?> type;
        /** The first object registered by this read, once there is one: the container being filled. */
        Object owner;
        /**
         * Which children the owner hashes ({@link #OWNER_HASHES}), looked up when its first child is
         * read ({@link #UNKNOWN} until then): most objects read, strings and boxes, have none.
         */
        int ownerHashes;
        int children;
        /** Children read before the owner existed (a header, such as a key set's mapped value). */
        int beforeOwner;
        /** The reference ids of the objects this read registered: almost always one, kept inline. */
        int firstId;
        int[] moreIds = NO_IDS;
        int idCount;
        /** When this read found a reference to an object read before (or being read): that object's cost. */
        long referenceCost;

        void start(Class<?> type) {
            this.cost = 1;
            this.type = type;
            this.owner = null;
            this.ownerHashes = UNKNOWN;
            this.children = 0;
            this.beforeOwner = 0;
            this.idCount = 0;
            this.referenceCost = 0;
        }

        void addId(int id) {
            if (idCount == 0) {
                firstId = id;
            } else {
                if (idCount - 1 >= moreIds.length) {
                    moreIds = Arrays.copyOf(moreIds, Math.max(4, moreIds.length * 2));
                }
                moreIds[idCount - 1] = id;
            }
            idCount++;
        }

        int id(int index) {
            return index == 0 ? firstId : moreIds[index - 1];
        }
    }

    private static final int UNKNOWN = -1;
    private static final int NO_CHILD = 0;
    private static final int EVERY_CHILD = 1;
    private static final int KEYS = 2;

    /**
     * Which children a container hashes as they are inserted: a map that is neither sorted nor by
     * identity its keys, a set that is not sorted every element. Per class, because testing an
     * object against several interfaces for every child read is slow on JDK 17 (its one-entry cache
     * of a class's interfaces thrashes).
     */
    private static final ClassValue<Integer> OWNER_HASHES = new ClassValue<>() {
        @Override
        protected Integer computeValue(Class<?> type) {
            if (Map.class.isAssignableFrom(type)) {
                return SortedMap.class.isAssignableFrom(type) || IdentityHashMap.class.isAssignableFrom(type) ? NO_CHILD : KEYS;
            }
            return Set.class.isAssignableFrom(type) && !SortedSet.class.isAssignableFrom(type) ? EVERY_CHILD : NO_CHILD;
        }
    };

    private static final int[] NO_IDS = {};
    /** Ids whose table is kept from one graph to the next (8 bytes each); a larger graph's is let go. */
    private static final int KEPT_IDS = 1 << 12;
    /** What an object usually takes in a snapshot at least; a graph of smaller objects grows the table as it goes. */
    private static final int BYTES_PER_OBJECT = 8;
    /** At most 8 MB up front: bytes that are mostly large arrays hold few objects. */
    private static final int MAX_PRESIZED_IDS = 1 << 20;

    /** The reads in progress, innermost last: {@code reading[0 .. depth)}; frames beyond are kept for reuse. */
    private Frame[] reading = new Frame[16];
    private int depth;
    /**
     * By reference id (dense, as Kryo hands them out): the object's cost once it is read, or, while
     * it is still being read, {@code -1 - d} for the frame at depth {@code d} that reads it. One
     * array of longs rather than a map from objects: a large snapshot registers millions of objects.
     */
    private long[] costById = new long[KEPT_IDS];
    private long budget;
    private long spent;
    /**
     * The class last looked up in {@link #OWNER_HASHES} and in {@link #HASHES_PARTS}, and what each
     * gave: a read meets the same few classes over and over, and comparing costs less than
     * {@code ClassValue.get}.
     */
    private Class<?> ownerClass;
    private int ownerClassHashes;
    private Class<?> partsClass;
    private boolean partsClassHashes;

    /** Before a read: the object about to be read, of {@code type} if known, gets a frame. */
    void enter(Input input, Class<?> type) {
        if (budget == 0) {
            long bytes = input.getInputStream() == null ? input.limit() : Integer.MAX_VALUE;
            budget = budget(bytes);
            long expected = Math.min(bytes / BYTES_PER_OBJECT, MAX_PRESIZED_IDS);
            if (input.getInputStream() == null && expected > costById.length) {
                // Sized once for the objects the bytes likely hold, rather than doubled (and copied) 20 times over.
                costById = new long[(int) expected];
            }
        }
        if (depth == reading.length) {
            reading = Arrays.copyOf(reading, depth * 2);
        }
        Frame frame = reading[depth];
        if (frame == null) {
            frame = new Frame();
            reading[depth] = frame;
        }
        frame.start(type);
        depth++;
    }

    /** A class read from the input: the first one a read meets is the class of what it reads. */
    void classRead(Class<?> type) {
        if (depth > 0) {
            Frame current = reading[depth - 1];
            if (current.type == null && current.owner == null && current.children == 0) {
                current.type = type;
            }
        }
    }

    /** An object the current read has made, under reference id {@code id}. */
    void registered(int id, Object object) {
        if (depth == 0 || id < 0) {
            return;
        }
        Frame current = reading[depth - 1];
        if (current.owner == null && object != null) {
            current.owner = object;
            current.beforeOwner = current.children;
        }
        if (id >= costById.length) {
            costById = Arrays.copyOf(costById, Math.max(id + 1, costById.length * 2));
        }
        if (costById[id] >= 0) { // not already registered by a read in progress
            costById[id] = -depth; // -1 - (depth - 1)
            current.addId(id);
        }
    }

    /** The current read found a reference to the object with {@code id}, read before or being read. */
    void referenced(int id) {
        if (depth == 0 || id < 0 || id >= costById.length) {
            return;
        }
        long cost = costById[id];
        reading[depth - 1].referenceCost = cost >= 0 ? cost : reading[(int) (-1 - cost)].cost;
    }

    /**
     * After a read that returned an object (complete, or a reference to one still being read):
     * adds its cost to the object being read around it, and charges it if that one hashes it.
     *
     * @throws GraphTooCostlyException when the budget is exhausted
     */
    void exit(Input input) {
        if (depth == 0) {
            return; // Kryo reset itself at the end of a top-level read (autoReset): nothing is left to cost
        }
        Frame own = reading[--depth];
        release(own);
        // A reference costs what the object held when it was referenced.
        long cost = Math.max(own.cost, own.referenceCost);
        if (depth == 0) {
            return; // a value of the graph itself: nothing hashes it here
        }
        Frame around = reading[depth - 1];
        around.cost = Math.min(around.cost + cost, Long.MAX_VALUE / 2);
        if (hashesNextChild(around)) {
            spent = Math.min(spent + cost, Long.MAX_VALUE / 2);
            if (spent > budget) {
                throw new GraphTooCostlyException(budget, input.position());
            }
        }
        around.children++;
    }

    private boolean hashesNextChild(Frame frame) {
        if (frame.owner != null) {
            if (frame.ownerHashes == UNKNOWN) {
                frame.ownerHashes = ownerHashes(frame.owner.getClass());
            }
            int hashes = frame.ownerHashes;
            return hashes == EVERY_CHILD || hashes == KEYS && (frame.children - frame.beforeOwner) % 2 == 0; // keys and values alternate
        }
        Class<?> type = frame.type;
        if (type == null) {
            return true;
        }
        if (type != partsClass) {
            partsClassHashes = HASHES_PARTS.get(type);
            partsClass = type;
        }
        return partsClassHashes;
    }

    private int ownerHashes(Class<?> type) {
        if (type != ownerClass) {
            ownerClassHashes = OWNER_HASHES.get(type);
            ownerClass = type;
        }
        return ownerClassHashes;
    }

    /** After an aborted read: forgets the frame (the graph is given up, and reset next). */
    void abandon() {
        if (depth > 0) {
            release(reading[--depth]);
        }
    }

    /** The frame's read is over: its objects keep the cost they have, and the frame is free for reuse. */
    private void release(Frame own) {
        for (int k = 0; k < own.idCount; k++) {
            costById[own.id(k)] = own.cost;
        }
        own.idCount = 0;
        own.owner = null; // let go of the object now
    }

    void reset() {
        for (int d = 0; d < depth; d++) {
            reading[d].owner = null;
        }
        depth = 0;
        if (costById.length > KEPT_IDS) {
            costById = new long[KEPT_IDS]; // let go of what a large graph needed
        } else {
            Arrays.fill(costById, 0);
        }
        budget = 0;
        spent = 0;
    }
}
