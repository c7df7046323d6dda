package io.stasis.kryo;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.util.ArrayList;
import java.util.List;

/**
 * Several values written as one object graph: a reference shared between them, or a class named
 * by one of them, is written once and read back as such. This is how a snapshot stores the fields
 * of one root.
 */
public final class ValueGraph {

    private ValueGraph() {
    }

    /**
     * Writes the values, in order, into {@code output} (which is reset first) and returns the bytes.
     *
     * @throws GraphWriteException naming the value, and the path inside it, that could not be written
     */
    public static byte[] write(Kryo kryo, Output output, List<?> values) {
        output.reset();
        append(kryo, output, values);
        return output.toBytes();
    }

    /**
     * Writes the values, in order, into {@code output} from its current position, after whatever it
     * holds: several graphs can share one buffer and be copied out of it later. Each graph is read
     * back alone, by {@link #read} of its own bytes.
     *
     * @throws GraphWriteException naming the value, and the path inside it, that could not be written
     */
    public static void append(Kryo kryo, Output output, List<?> values) {
        kryo.setAutoReset(false);
        try {
            for (int i = 0; i < values.size(); i++) {
                try {
                    kryo.writeClassAndObject(output, values.get(i));
                } catch (KryoException e) {
                    throw new GraphWriteException(i, e);
                }
            }
        } finally {
            kryo.reset();
        }
    }

    /**
     * Reads {@code count} values written by {@link #write}, through a {@link SnapshotInput}. The
     * hashing that rebuilding them can cause is bounded by a budget proportional to the bytes: a
     * graph that turns out to be a tree is read under a cheaper check of that bound ({@code
     * TreeCheck}), any other is read again, from its start, under the budget itself.
     *
     * @throws KryoException for bytes that do not hold them, whatever went wrong inside Kryo or a
     *     serializer (a {@link ClassNotAllowedException} for a class outside the allowed ones), and
     *     for a graph whose rebuilding overflows the stack
     */
    public static List<Object> read(Kryo kryo, byte[] bytes, int count) {
        if (!(kryo instanceof BudgetedKryo budgeted)) {
            return readValues(kryo, bytes, count);
        }
        List<Object> values = null;
        budgeted.treeFirst(bytes.length);
        try {
            values = readValues(kryo, bytes, count);
        } catch (KryoException e) {
            if (!budgeted.notATree()) {
                throw e;
            }
        } finally {
            budgeted.costing(BudgetedKryo.Costing.BUDGET);
        }
        return budgeted.notATree() ? readValues(kryo, bytes, count) : values;
    }

    /**
     * As {@link #read}, for a graph whose writer said it shares objects ({@link #sharesObjects}):
     * read under the hostile-input budget from its start, since the cheaper bound would most likely
     * give up on it, and the graph be read twice. What the writer said is only a choice of speed:
     * bytes that say otherwise are bounded either way.
     */
    public static List<Object> readSharing(Kryo kryo, byte[] bytes, int count) {
        return readValues(kryo, bytes, count);
    }

    /**
     * Whether the graph last written with {@code kryo} (by {@link #write} or {@link #append}, asked
     * before the Kryo is used again) referenced an object more than once, strings, boxes and enum
     * constants aside: a graph to read with {@link #readSharing}. Always {@code false} for a Kryo
     * not made by {@link SnapshotKryo}.
     */
    public static boolean sharesObjects(Kryo kryo) {
        return kryo instanceof BudgetedKryo budgeted && budgeted.lastGraphShared();
    }

    /**
     * As {@link #read}, for bytes whose writer is authenticated (a snapshot whose key checked its
     * manifest and every chunk): such bytes cannot have been crafted to make rebuilding hashed
     * collections exponential, so the graph is rebuilt without that budget, shared objects or not.
     * Every other check stays: the allowed classes, lengths, depth.
     */
    public static List<Object> readAuthenticated(Kryo kryo, byte[] bytes, int count) {
        if (!(kryo instanceof BudgetedKryo budgeted)) {
            return readValues(kryo, bytes, count);
        }
        budgeted.costing(BudgetedKryo.Costing.NONE);
        try {
            return readValues(kryo, bytes, count);
        } finally {
            budgeted.costing(BudgetedKryo.Costing.BUDGET);
        }
    }

    /** Reads the values, costed as the Kryo is set to cost them. */
    private static List<Object> readValues(Kryo kryo, byte[] bytes, int count) {
        kryo.setAutoReset(false);
        Input input = new SnapshotInput(bytes);
        try {
            List<Object> values = new ArrayList<>(Math.min(count, bytes.length));
            for (int i = 0; i < count; i++) {
                values.add(kryo.readClassAndObject(input));
            }
            return values;
        } catch (KryoException e) {
            throw e;
        } catch (RuntimeException | IncompatibleClassChangeError e) {
            // Damaged bytes surface as whatever a serializer or constructor throws on the values they
            // yield, or as the JVM's refusal to instantiate an interface or abstract class they name.
            throw new KryoException("cannot read value graph (" + bytes.length + " bytes) at byte " + input.position()
                    + ": " + e, e);
        } catch (StackOverflowError e) {
            // Depth is bounded, but damaged references can make a collection contain itself, which the
            // JDK's hashCode then follows forever; the stack unwinds to here, and nothing read is kept.
            throw new KryoException("cannot read value graph (" + bytes.length + " bytes): it refers to itself"
                    + " in a way that cannot be rebuilt (a collection inside itself used as a key?)", e);
        } finally {
            kryo.reset();
        }
    }
}
