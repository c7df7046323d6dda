package io.stasis.agent.internal.store;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * A root's chunk list in a manifest of format 3 or 4: binary (Base64 in the manifest's JSON), some
 * 42 bytes a chunk where format 2 spent about 170 of pretty-printed JSON. Against a base snapshot, a
 * run of chunks that the base lists in the same order is one {@code COPY} of its place in the
 * base's list (all its roots, in order), so the manifest after a small change lists little more
 * than the changed chunks. Format 4 adds chunks stored as a delta ({@link ChunkDelta}) against a
 * whole chunk, which the entry names and locates:
 *
 * <pre>
 * COPY   byte 0  varint start  varint count                              the base's chunks [start, start + count)
 * CHUNK  byte 1  byte[32] name  varint pack  varint offset  varint length  varint bytes
 * DELTA  byte 2  the chunk as CHUNK has it, then its base's the same way   (format 4)
 * </pre>
 *
 * Numbers are {@link Varints}: what a table declares is decoded whole, then bounded, never trusted.
 */
final class ChunkTable {

    private static final int COPY = 0;
    private static final int CHUNK = 1;
    private static final int DELTA = 2;
    private static final int NAME = 32;

    private ChunkTable() {
    }

    /** The chunks a table is stored against, and where each name first appears among them. */
    static final class Base {

        static final Base NONE = new Base(List.of());

        private final List<Manifest.ChunkRef> chunks;
        /** Made when first encoding against it: reading needs no index. */
        private Map<String, Integer> first;

        Base(List<Manifest.ChunkRef> chunks) {
            this.chunks = chunks;
        }

        private Integer first(String name) {
            if (first == null) {
                first = new HashMap<>(chunks.size() * 2);
                for (int i = 0; i < chunks.size(); i++) {
                    first.putIfAbsent(chunks.get(i).name(), i);
                }
            }
            return first.get(name);
        }

        int size() {
            return chunks.size();
        }
    }

    /**
     * Encodes {@code chunks} against {@code base}.
     *
     * @param packs the manifest's pack names by index; names not in it yet are added
     */
    static byte[] encode(List<Manifest.ChunkRef> chunks, Base base, Map<String, Integer> packs) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(chunks.size() * 8 + 16);
        int i = 0;
        while (i < chunks.size()) {
            Manifest.ChunkRef chunk = chunks.get(i);
            Integer start = base.first(chunk.name());
            if (start != null) {
                int count = 1;
                while (i + count < chunks.size() && start + count < base.chunks.size()
                        && base.chunks.get(start + count).name().equals(chunks.get(i + count).name())) {
                    count++;
                }
                out.write(COPY);
                Varints.write(out, start);
                Varints.write(out, count);
                i += count;
            } else {
                out.write(chunk.base() == null ? CHUNK : DELTA);
                location(out, chunk, packs);
                if (chunk.base() != null) {
                    location(out, chunk.base(), packs);
                }
                i++;
            }
        }
        return out.toByteArray();
    }

    /** A chunk's name and where it lies, as {@code CHUNK} lists it. */
    private static void location(ByteArrayOutputStream out, Manifest.ChunkRef chunk, Map<String, Integer> packs) {
        out.writeBytes(HexFormat.of().parseHex(chunk.name()));
        Integer pack = packs.get(chunk.pack());
        if (pack == null) {
            pack = packs.size();
            packs.put(chunk.pack(), pack);
        }
        Varints.write(out, pack);
        Varints.write(out, chunk.offset());
        Varints.write(out, chunk.length());
        Varints.write(out, chunk.bytes());
    }

    /**
     * Decodes a table, every number bounded.
     *
     * @param room how many chunks the manifest may still list: copies cannot inflate it past that
     * @param deltas whether it may list deltas (format 4)
     * @throws IllegalArgumentException if it is not a valid table for these packs and this base
     */
    static List<Manifest.ChunkRef> decode(byte[] table, List<String> packs, Base base, int room, boolean deltas) {
        List<Manifest.ChunkRef> chunks = new ArrayList<>();
        int[] at = {0};
        while (at[0] < table.length) {
            int op = table[at[0]++];
            if (op == COPY) {
                int start = (int) ManifestCodec.within("start", varint(table, at), 0, base.size() - 1L);
                int count = (int) ManifestCodec.within("count", varint(table, at), 1, base.size() - (long) start);
                if (count > room - chunks.size()) {
                    throw new IllegalArgumentException("more chunks than a manifest may list");
                }
                chunks.addAll(base.chunks.subList(start, start + count));
            } else if (op == CHUNK || op == DELTA && deltas) {
                Manifest.ChunkRef chunk = location(table, at, packs);
                if (op == DELTA) {
                    Manifest.ChunkRef whole = location(table, at, packs);
                    chunk = new Manifest.ChunkRef(chunk.name(), chunk.pack(), chunk.offset(), chunk.length(), chunk.bytes(),
                            whole);
                }
                if (chunks.size() >= room) {
                    throw new IllegalArgumentException("more chunks than a manifest may list");
                }
                chunks.add(chunk);
            } else {
                throw new IllegalArgumentException("a chunk table has an unknown entry " + op);
            }
        }
        return chunks;
    }

    /** A chunk's name and where it lies, as {@code CHUNK} lists it, every number bounded. */
    private static Manifest.ChunkRef location(byte[] table, int[] at, List<String> packs) {
        if (table.length - at[0] < NAME) {
            throw new IllegalArgumentException("a chunk table ends early");
        }
        String name = HexFormat.of().formatHex(table, at[0], at[0] + NAME);
        at[0] += NAME;
        String pack = packs.get((int) ManifestCodec.within("pack", varint(table, at), 0, packs.size() - 1L));
        long offset = ManifestCodec.within("offset", varint(table, at), 0, Long.MAX_VALUE - ChunkCodec.MAX_STORED);
        int length = (int) ManifestCodec.within("length", varint(table, at), ChunkCodec.MIN_STORED,
                ChunkCodec.MAX_STORED);
        int bytes = (int) ManifestCodec.within("bytes", varint(table, at), 0, Chunker.MAX);
        return new Manifest.ChunkRef(name, pack, offset, length, bytes);
    }

    private static long varint(byte[] table, int[] at) {
        return Varints.read(table, at, table.length, "a chunk table");
    }
}
