package io.stasis.agent.internal.capture;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.KryoBufferOverflowException;
import com.esotericsoftware.kryo.io.Output;
import io.stasis.kryo.GraphWriteException;
import io.stasis.kryo.ValueGraph;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The bytes of one cut. While the gate is closed, every root is serialized into one buffer kept
 * from cut to cut; each root's own array is copied out of it only once the gate is open again. So
 * a cut writes into memory it has written before: a new array as large as a root costs, on top of
 * the copy, the first write to every page of heap the JVM has not used yet, which can take longer
 * than serializing what goes into it.
 *
 * <p>Not thread-safe: one per checkpointer, used under its lock.
 */
final class CutBuffer {

    private final Output output;
    /** The spans still in the buffer, to copy out should it run out of room. */
    private final List<Span> inBuffer = new ArrayList<>();

    CutBuffer() {
        this(Integer.MAX_VALUE);
    }

    /** With a buffer that holds at most {@code maxBytes}, as tests need. */
    CutBuffer(int maxBytes) {
        output = new Output(Math.min(1 << 16, maxBytes), maxBytes == Integer.MAX_VALUE ? -1 : maxBytes);
    }

    /** Where one graph's bytes are: in the buffer, or once copied out, in an array of their own. */
    static final class Span {
        private final int from;
        private final int to;
        private byte[] copied;

        private Span(int from, int to) {
            this.from = from;
            this.to = to;
        }

        int length() {
            return to - from;
        }
    }

    /**
     * Serializes the values as one graph after those already in the buffer. A graph that does not fit
     * behind them is written again from the buffer's start, once theirs are copied out: any graph
     * that fits in one array is written.
     *
     * @throws GraphWriteException as {@link ValueGraph#append}
     */
    Span append(Kryo kryo, List<?> values) {
        int from = output.position();
        try {
            ValueGraph.append(kryo, output, values);
        } catch (GraphWriteException e) {
            if (from == 0 || !outOfRoom(e)) {
                throw e;
            }
            copyOut();
            output.reset();
            return append(kryo, values);
        }
        Span span = new Span(from, output.position());
        inBuffer.add(span);
        return span;
    }

    /** The graph's bytes, in an array of their own; valid until {@link #clear}, whose next cut overwrites the buffer. */
    byte[] bytes(Span span) {
        return span.copied != null ? span.copied : Arrays.copyOfRange(output.getBuffer(), span.from, span.to);
    }

    /** Starts a cut: the spans handed out so far are forgotten, and the buffer is written over. */
    void clear() {
        inBuffer.clear();
        output.reset();
    }

    private static boolean outOfRoom(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof KryoBufferOverflowException) {
                return true;
            }
        }
        return false;
    }

    private void copyOut() {
        for (Span span : inBuffer) {
            span.copied = bytes(span);
        }
        inBuffer.clear();
    }
}
