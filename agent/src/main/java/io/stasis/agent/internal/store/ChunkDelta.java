package io.stasis.agent.internal.store;

import java.io.ByteArrayOutputStream;

/**
 * A chunk's content as a delta against a whole chunk stored before (format 4): a sequence of
 * operations, each a varint header {@code length << 1 | kind}, that together give exactly the
 * content:
 *
 * <pre>
 * COPY     kind 0  varint from     the base's bytes [from, from + length)
 * LITERAL  kind 1  byte[length]    these bytes
 * </pre>
 *
 * A changed value rewrites a few bytes of a chunk, and chunks are cut by content, so the new
 * chunk usually keeps the base's prefix and suffix and differs in runs between: those runs are
 * literals, the rest copies ({@code docs/format.md}). The delta is then compressed and framed like
 * any chunk, and its content is checked against the chunk's name once applied.
 */
final class ChunkDelta {

    private static final int COPY = 0;
    private static final int LITERAL = 1;
    /** Equal runs shorter than this stay inside a literal: a copy of them would cost about as much. */
    private static final int MIN_COPY = 16;

    private ChunkDelta() {
    }

    /**
     * The delta that makes {@code length} bytes of {@code data} from {@code from} out of {@code base},
     * or {@code null} when it would take more than half of them: then the chunk is stored whole, and
     * becomes the base of its later versions.
     *
     * @param shift where the chunk starts in the base's coordinates: byte {@code i} of the chunk is
     *     at the place of the base's byte {@code i + shift} (a boundary that moved by a few bytes)
     */
    static byte[] encode(byte[] base, int shift, byte[] data, int from, int length) {
        byte[] inPlace = inPlace(base, shift, data, from, length);
        if (inPlace != null || shift == 0 && base.length == length) {
            return inPlace;
        }
        return aroundInsertion(base, data, from, length);
    }

    /** Values changed in place: what differs is literal, runs equal at the same place are copies. */
    private static byte[] inPlace(byte[] base, int shift, byte[] data, int from, int length) {
        Ops ops = new Ops(length / 2);
        int literal = -1;
        for (int i = 0; i < length && !ops.full(); ) {
            int equal = i;
            while (equal < length && equalAt(base, equal + shift, data, from + equal)) {
                equal++;
            }
            if (equal - i >= MIN_COPY) {
                if (literal >= 0) {
                    ops.literal(data, from + literal, i - literal);
                    literal = -1;
                }
                ops.copy(i + shift, equal - i);
                i = equal;
            } else {
                if (literal < 0) {
                    literal = i;
                }
                i = equal;
                while (i < length && !equalAt(base, i + shift, data, from + i)) {
                    i++;
                }
            }
        }
        if (literal >= 0) {
            ops.literal(data, from + literal, length - literal);
        }
        return ops.full() ? null : ops.toByteArray();
    }

    private static boolean equalAt(byte[] base, int at, byte[] data, int i) {
        return at >= 0 && at < base.length && base[at] == data[i];
    }

    /** Bytes inserted or removed: the common prefix and suffix are copies, what lies between is literal. */
    private static byte[] aroundInsertion(byte[] base, byte[] data, int from, int length) {
        int shorter = Math.min(base.length, length);
        int prefix = 0;
        while (prefix < shorter && base[prefix] == data[from + prefix]) {
            prefix++;
        }
        int suffix = 0;
        while (suffix < shorter - prefix && base[base.length - 1 - suffix] == data[from + length - 1 - suffix]) {
            suffix++;
        }
        Ops ops = new Ops(length / 2);
        ops.copy(0, prefix);
        ops.literal(data, from + prefix, length - suffix - prefix);
        ops.copy(base.length - suffix, suffix);
        return ops.full() ? null : ops.toByteArray();
    }

    /**
     * Applies {@code delta[0, length)} to {@code base}, writing exactly {@code bytes} bytes into
     * {@code content} from {@code at}; every operation bounded by the base, the delta and the content.
     *
     * @throws CorruptSnapshotException if the delta is not one of {@code bytes} bytes against this base
     */
    static void apply(String name, byte[] delta, int length, byte[] base, byte[] content, int at, int bytes)
            throws CorruptSnapshotException {
        int[] in = {0};
        int written = 0;
        try {
            while (in[0] < length) {
                long header = Varints.read(delta, in, length, "a delta");
                long run = header >>> 1;
                if (run < 1 || run > bytes - written) {
                    throw new IllegalArgumentException("a delta writes past its chunk's " + bytes + " bytes");
                }
                if ((header & 1) == COPY) {
                    long source = Varints.read(delta, in, length, "a delta");
                    if (source < 0 || source > base.length - run) {
                        throw new IllegalArgumentException("a delta copies past its base's " + base.length + " bytes");
                    }
                    System.arraycopy(base, (int) source, content, at + written, (int) run);
                } else {
                    if (run > length - in[0]) {
                        throw new IllegalArgumentException("a delta ends early");
                    }
                    System.arraycopy(delta, in[0], content, at + written, (int) run);
                    in[0] += (int) run;
                }
                written += (int) run;
            }
        } catch (IllegalArgumentException e) {
            throw new CorruptSnapshotException("chunk " + name + " is not a valid delta: " + e.getMessage());
        }
        if (written != bytes) {
            throw new CorruptSnapshotException("chunk " + name + " has " + written + " bytes, its manifest says " + bytes);
        }
    }

    /** Operations gathered until they pass a limit. */
    private static final class Ops extends ByteArrayOutputStream {
        private final int limit;

        Ops(int limit) {
            super(Math.min(limit, 256) + 16);
            this.limit = limit;
        }

        boolean full() {
            return count > limit;
        }

        void copy(int from, int length) {
            if (length > 0 && !full()) {
                Varints.write(this, (long) length << 1 | COPY);
                Varints.write(this, from);
            }
        }

        void literal(byte[] data, int from, int length) {
            if (length > 0 && !full()) {
                Varints.write(this, (long) length << 1 | LITERAL);
                write(data, from, length);
            }
        }
    }
}
