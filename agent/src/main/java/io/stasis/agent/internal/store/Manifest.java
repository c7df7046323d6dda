package io.stasis.agent.internal.store;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What one snapshot holds, as stored: its metadata and, per root, the chunks of its data in order.
 * Written last, after every chunk it names is durable: a manifest on disk denotes a complete snapshot.
 *
 * @param sequence   the snapshot's sequence number, also its id
 * @param parent     the sequence of the snapshot written before it by the same store, or -1
 * @param base       the full snapshot its chunk lists are stored against (only what differs from
 *                   it is listed), or -1 when it lists every chunk itself; the roots here are resolved
 * @param writeNanos how long chunking, compressing and writing took (after the pause)
 * @param keyId      the id of the key its chunks are encrypted with, or {@code null}
 * @param classes    the classes the roots' data names (the serializers' class table), sorted
 */
record Manifest(long sequence, Instant time, String reason, long parent, long base, long pauseNanos, long writeNanos,
                String agent, String jvm, String keyId, List<String> classes, List<StoredRoot> roots) {

    static final int FORMAT = 4;
    /** The format before chunk lists were stored against a base; still read. */
    static final int FORMAT_2 = 2;

    Manifest {
        classes = List.copyOf(classes);
        roots = List.copyOf(roots);
    }

    /** A root and where its data lies; {@code sharesObjects} as {@link Root#sharesObjects}. */
    record StoredRoot(Root.Kind kind, String owner, String key, List<String> fields, long bytes, List<ChunkRef> chunks,
                      boolean sharesObjects) {
        StoredRoot {
            fields = List.copyOf(fields);
            chunks = List.copyOf(chunks);
        }
    }

    /**
     * One chunk of a root's data: its name, the pack file holding it, where, its stored length and
     * its length once decoded; stored as a delta against {@code base}, a whole chunk, or whole itself
     * ({@code base} is {@code null}).
     */
    record ChunkRef(String name, String pack, long offset, int length, int bytes, ChunkRef base) {

        ChunkRef {
            if (base != null && base.base() != null) {
                throw new IllegalArgumentException("chunk " + name + " is a delta against a delta");
            }
        }

        /** A chunk stored whole. */
        ChunkRef(String name, String pack, long offset, int length, int bytes) {
            this(name, pack, offset, length, bytes, null);
        }

        /** The whole chunk that a new version of this one would be stored against: its base, or itself. */
        ChunkRef whole() {
            return base == null ? this : base;
        }
    }

    /** This manifest listing every chunk itself, against no base. */
    Manifest full() {
        return new Manifest(sequence, time, reason, parent, -1, pauseNanos, writeNanos, agent, jvm, keyId, classes, roots);
    }

    /** Every chunk of every root, in order. */
    List<ChunkRef> chunks() {
        return roots.stream().flatMap(r -> r.chunks().stream()).toList();
    }

    /** The packs its chunks are read from, their bases' included: what retention keeps for it. */
    Set<String> packs() {
        Set<String> packs = new TreeSet<>();
        for (StoredRoot root : roots) {
            for (ChunkRef chunk : root.chunks()) {
                packs.add(chunk.pack());
                if (chunk.base() != null) {
                    packs.add(chunk.base().pack());
                }
            }
        }
        return packs;
    }

    long storedBytes() {
        return roots.stream().flatMap(r -> r.chunks().stream()).mapToLong(ChunkRef::length).sum();
    }
}
