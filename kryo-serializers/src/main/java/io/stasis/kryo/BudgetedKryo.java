package io.stasis.kryo;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Registration;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.util.IdentityObjectIntMap;
import com.esotericsoftware.kryo.util.MapReferenceResolver;
import com.esotericsoftware.kryo.util.ObjectIntMap;
import io.stasis.kryo.schema.GraphCounting;

/**
 * A Kryo whose every read is costed, so that rebuilding a graph cannot make the hashing of its
 * collections exponential: by a {@link ReadCost}, or first by a {@link TreeCheck} where the caller
 * can read the graph again ({@link ValueGraph#read}). Every way a serializer reads an object goes
 * through one of the methods overridden here; every object registered for references goes through
 * {@link Resolver#setReadObject}, and every reference to one through {@link Resolver#getReadObject}.
 */
final class BudgetedKryo extends Kryo implements GraphCounting {

    private static final int CLASS_AND_OBJECT = 0;
    private static final int OBJECT = 1;
    private static final int OBJECT_OR_NULL = 2;

    /** How reads are costed. */
    enum Costing {
        /** By {@link ReadCost}: what any use of this Kryo gets unless told otherwise. */
        BUDGET,
        /** By {@link TreeCheck}, for a graph the caller reads again under the budget if the check gives up. */
        TREE_FIRST,
        /** Not at all: for bytes whose writer is authenticated ({@link ValueGraph#readAuthenticated}). */
        NONE
    }

    private final ReadCost cost;
    private final Resolver references;
    private long graph;

    private BudgetedKryo(AllowListClassResolver classes, Resolver references) {
        super(classes, references);
        this.cost = references.cost;
        this.references = references;
    }

    static BudgetedKryo create(AllowListClassResolver classes) {
        return new BudgetedKryo(classes, new Resolver(new ReadCost()));
    }

    /**
     * Registers read objects with the cost as well, and keeps short strings out of the identity map
     * ({@link ShortStrings}).
     */
    private static final class Resolver extends MapReferenceResolver {
        /**
         * Kryo trims its identity map to this many objects after each graph. A graph that grows past
         * it moves to {@link #large}, a map kept from graph to graph: a new one, as large as the
         * graph, would be new memory on every graph, whose first touch of each page costs more than
         * the hashing; and one grown by doubling would rehash every object so far at each step.
         */
        private static final int SMALL_GRAPH = 2048;

        final ReadCost cost;
        final TreeCheck tree = new TreeCheck();
        Costing costing = Costing.BUDGET;
        private final ShortStrings shortStrings = new ShortStrings();
        /** The identity map of a graph past {@link #SMALL_GRAPH} objects, sized for the last such graph. */
        private final IdentityObjectIntMap<Object> large = new IdentityObjectIntMap<>();
        private ObjectIntMap<Object> written = writtenObjects;
        private int nextWrittenId;
        private int lastLargeGraph;
        /** Whether the graph being written referenced an object again (strings, boxes and enum constants aside). */
        private boolean sharing;
        /** The same, for the graph before the last reset: what {@link ValueGraph#sharesObjects} tells. */
        boolean lastGraphShared;

        Resolver(ReadCost cost) {
            this.cost = cost;
        }

        /** Ids are counted here, as Kryo counts them, since short strings are not in its map. */
        @Override
        public int addWrittenObject(Object object) {
            int id = nextWrittenId++;
            if (ShortStrings.isShort(object)) {
                shortStrings.written((String) object, id);
            } else {
                written.put(object, id);
                if (written.size == SMALL_GRAPH && written == writtenObjects) {
                    large.ensureCapacity(Math.max(lastLargeGraph, 2 * SMALL_GRAPH));
                    for (ObjectIntMap.Entry<Object> entry : writtenObjects.entries()) {
                        large.put(entry.key, entry.value);
                    }
                    writtenObjects.clear();
                    written = large;
                }
            }
            return id;
        }

        @Override
        public int getWrittenId(Object object) {
            if (ShortStrings.isShort(object)) {
                return shortStrings.idOf((String) object);
            }
            int id = written.get(object, -1);
            if (id >= 0 && !sharing && !TreeCheck.hashedInOneStep(object)) {
                sharing = true;
            }
            return id;
        }

        @Override
        public void reset() {
            if (written == large) {
                lastLargeGraph = large.size;
                large.clear(2 * lastLargeGraph); // kept, unless it is more than twice the size this graph needed
                written = writtenObjects;
            }
            super.reset();
            shortStrings.clear();
            lastGraphShared = sharing;
            sharing = false;
            nextWrittenId = 0;
        }

        @Override
        public void setReadObject(int id, Object object) {
            super.setReadObject(id, object);
            if (costing == Costing.BUDGET) {
                cost.registered(id, object);
            }
        }

        @Override
        public Object getReadObject(Class type, int id) {
            Object object = super.getReadObject(type, id);
            if (costing == Costing.BUDGET) {
                cost.referenced(id);
            } else if (costing == Costing.TREE_FIRST) {
                tree.referenced(object);
            }
            return object;
        }
    }

    @Override
    public Registration readClass(Input input) {
        Registration registration = super.readClass(input);
        if (registration != null && references.costing != Costing.NONE) {
            if (references.costing == Costing.BUDGET) {
                cost.classRead(registration.getType());
            } else {
                references.tree.classRead(getDepth(), registration.getType());
            }
        }
        return registration;
    }

    @Override
    public Object readClassAndObject(Input input) {
        return read(CLASS_AND_OBJECT, input, null, null);
    }

    @Override
    public <T> T readObject(Input input, Class<T> type) {
        return readObject(input, type, getRegistration(type).getSerializer());
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T readObject(Input input, Class<T> type, Serializer serializer) {
        return (T) read(OBJECT, input, type, serializer);
    }

    @Override
    public <T> T readObjectOrNull(Input input, Class<T> type) {
        return readObjectOrNull(input, type, getRegistration(type).getSerializer());
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T readObjectOrNull(Input input, Class<T> type, Serializer serializer) {
        return (T) read(OBJECT_OR_NULL, input, type, serializer);
    }

    /** How the reads from here on are costed, until told otherwise. */
    void costing(Costing costing) {
        references.costing = costing;
    }

    /** The graph of {@code bytes} bytes read next is costed by the {@link TreeCheck} first. */
    void treeFirst(long bytes) {
        references.tree.start(bytes);
        references.costing = Costing.TREE_FIRST;
    }

    /** Whether the last graph written referenced an object again (strings, boxes and enum constants aside). */
    boolean lastGraphShared() {
        return references.lastGraphShared;
    }

    /** Whether the last graph read with {@link Costing#TREE_FIRST} turned out not to be a tree, and must be read again. */
    boolean notATree() {
        return references.tree.givenUp();
    }

    /** One of Kryo's reads, costed (a switch rather than a lambda: one frame more per level of nesting, not two). */
    private Object read(int how, Input input, Class<?> type, Serializer<?> serializer) {
        Costing costing = references.costing;
        if (costing == Costing.TREE_FIRST) {
            int depth = getDepth();
            references.tree.reading(depth, type);
            Object object = uncosted(how, input, type, serializer);
            references.tree.read(depth + 1);
            return object;
        }
        if (costing == Costing.NONE) {
            return uncosted(how, input, type, serializer);
        }
        cost.enter(input, type);
        Object object;
        try {
            object = uncosted(how, input, type, serializer);
        } catch (RuntimeException | Error e) {
            cost.abandon();
            throw e;
        }
        cost.exit(input);
        return object;
    }

    private Object uncosted(int how, Input input, Class<?> type, Serializer<?> serializer) {
        return switch (how) {
            case CLASS_AND_OBJECT -> super.readClassAndObject(input);
            case OBJECT -> super.readObject(input, type, serializer);
            default -> super.readObjectOrNull(input, type, serializer);
        };
    }

    @Override
    public long graph() {
        return graph;
    }

    @Override
    public void reset() {
        super.reset();
        cost.reset();
        graph++;
    }
}
