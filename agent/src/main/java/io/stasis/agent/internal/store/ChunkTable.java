package io.stasis.agent.internal.store;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * A root's chunk list in a manifest of format 3: binary (Base64 in the manifest's JSON), some 42
 * bytes a chunk where format 2 spent about 170 of pretty-printed JSON. Against a base snapshot, a
 * run of chunks that the base lists in the same order is one {@code COPY} of its place in the
 * base's list (all its roots, in order), so the manifest after a small change lists little more
 * than the changed chunks:
 *
 * <pre>
 * COPY   byte 0  varint start  varint count                              the base's chunks [start, start + count)
 * CHUNK  byte 1  byte[32] name  varint pack  varint offset  varint length  varint bytes
 * </pre>
 *
 * A varint is the unsigned LEB128 form of a {@code long} (a negative number takes ten bytes): what a
 * table declares is decoded whole, then bounded, never trusted.
 */
final class ChunkTable {

    private static final int COPY = 0;
    private static final int CHUNK = 1;
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
                varint(out, start);
                varint(out, count);
                i += count;
            } else {
                out.write(CHUNK);
                out.writeBytes(HexFormat.of().parseHex(chunk.name()));
                Integer pack = packs.get(chunk.pack());
                if (pack == null) {
                    pack = packs.size();
                    packs.put(chunk.pack(), pack);
                }
                varint(out, pack);
                varint(out, chunk.offset());
                varint(out, chunk.length());
                varint(out, chunk.bytes());
                i++;
            }
        }
        return out.toByteArray();
    }

    /**
     * Decodes a table, every number bounded.
     *
     * @param room how many chunks the manifest may still list: copies cannot inflate it past that
     * @throws IllegalArgumentException if it is not a valid table for these packs and this base
     */
    static List<Manifest.ChunkRef> decode(byte[] table, List<String> packs, Base base, int room) {
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
            } else if (op == CHUNK) {
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
                if (chunks.size() >= room) {
                    throw new IllegalArgumentException("more chunks than a manifest may list");
                }
                chunks.add(new Manifest.ChunkRef(name, pack, offset, length, bytes));
            } else {
                throw new IllegalArgumentException("a chunk table has an unknown entry " + op);
            }
        }
        return chunks;
    }

    private static void varint(ByteArrayOutputStream out, long value) {
        while ((value & ~0x7FL) != 0) {
            out.write((int) (value & 0x7F) | 0x80);
            value >>>= 7;
        }
        out.write((int) value);
    }

    private static long varint(byte[] table, int[] at) {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (at[0] >= table.length) {
                throw new IllegalArgumentException("a chunk table ends early");
            }
            int b = table[at[0]++];
            value |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new IllegalArgumentException("a chunk table has a number longer than 64 bits");
    }
}
