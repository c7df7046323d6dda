package io.stasis.kryo;

/**
 * The cheap first try at bounding a graph's rebuilding, before {@link ReadCost}. Hashing grows
 * faster than the input only where an object shared in the graph is hashed again through every
 * place it is referenced from. So as long as no object is referenced a second time from inside
 * something that hashes what it holds (a set or a map that hashes, a record; strings, boxes and
 * enum constants aside, since hashing one is a single step wherever it is), everything hashed is
 * a tree, and the hashing is at most the sum of the depths of the objects read: an object is
 * hashed at most once for each object it is nested in, which is all {@code ReadCost} could charge.
 * Keeping that sum, and the outermost read in progress that hashes, takes an addition and a
 * comparison or two per object read, where {@code ReadCost} keeps a frame for each (about a fifth
 * of a restore's time; docs/benchmarks.md §4).
 *
 * <p>Such a reference, or a sum past the budget {@code ReadCost} would allow, gives the try up: the
 * read stops with {@link NotATree} (which a serializer may wrap or even swallow; {@link #givenUp()}
 * says what happened either way), and the graph is read again from its start under {@code
 * ReadCost}, which decides as it always has. Once given up, every later read stops again, and
 * such a reference is never handed out.
 *
 * <p>Not thread-safe: one per Kryo.
 */
final class TreeCheck {

    /** Thrown to stop a read that is not a tree; no stack trace, since it is caught and handled. */
    static final class NotATree extends RuntimeException {
        private static final long serialVersionUID = 1L;

        private NotATree() {
            super("not a tree where it is hashed: read again under the budget", null, false, false);
        }
    }

    private static final NotATree NOT_A_TREE = new NotATree();
    private static final int NONE = Integer.MAX_VALUE;

    private long budget;
    private long spent;
    private boolean givenUp;
    /**
     * The depth (as Kryo counts it) of the outermost read in progress of an object that hashes what
     * it holds, or {@link #NONE}. Reads end innermost first, so the outermost is all there is to
     * keep: reads inside it need not be looked at, and when it ends, none is left.
     */
    private int hashingFrom = NONE;
    /** The class last asked about, and whether it hashes: a read meets the same few classes over and over. */
    private Class<?> lastClass;
    private boolean lastClassHashes;

    /** Before a graph of {@code bytes} bytes is read. */
    void start(long bytes) {
        budget = ReadCost.budget(bytes);
        spent = 0;
        givenUp = false;
        hashingFrom = NONE;
    }

    /** Before an object, of {@code type} if known, is read {@code depth} objects deep. */
    void reading(int depth, Class<?> type) {
        spent += depth + 1;
        if (spent > budget || givenUp) {
            giveUp();
        }
        if (type != null && hashingFrom == NONE) {
            classRead(depth + 1, type);
        }
    }

    /** The object read at {@code depth} (counted as Kryo counts it while reading it) is of {@code type}. */
    void classRead(int depth, Class<?> type) {
        if (depth >= hashingFrom) {
            return;
        }
        if (type != lastClass) {
            lastClassHashes = ReadCost.hashesParts(type);
            lastClass = type;
        }
        if (lastClassHashes) {
            hashingFrom = depth;
        }
    }

    /** After the read at {@code depth} (as Kryo counted it while reading) returned. */
    void read(int depth) {
        if (depth == hashingFrom) {
            hashingFrom = NONE;
        }
    }

    /** Before an object read earlier (or being read: {@code null} if it does not exist yet) is handed out again. */
    void referenced(Object object) {
        if (givenUp || object == null || hashingFrom != NONE && !hashedInOneStep(object)) {
            giveUp();
        }
    }

    /** Whether the last graph started gave the check up, and must be read again under the budget. */
    boolean givenUp() {
        return givenUp;
    }

    private void giveUp() {
        givenUp = true;
        throw NOT_A_TREE;
    }

    /** Whether hashing {@code object} is one step, wherever it is: a string, a box or an enum constant. */
    static boolean hashedInOneStep(Object object) {
        Class<?> type = object.getClass();
        return type == String.class || type == Integer.class || type == Long.class || object instanceof Enum<?>
                || type == Boolean.class || type == Character.class || type == Short.class || type == Byte.class
                || type == Double.class || type == Float.class;
    }
}
