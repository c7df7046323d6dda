package io.stasis.agent.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChunkTableTest {

    private static Manifest.ChunkRef chunk(int i, String pack) {
        byte[] content = ("chunk " + i).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        return new Manifest.ChunkRef(ChunkCodec.PLAIN_CODEC.name(content), pack, 100L * i, 50 + i, 1000 + i);
    }

    /** Chunks 0 to {@code count - 1} of pack 1. */
    private static List<Manifest.ChunkRef> chunks(int count) {
        List<Manifest.ChunkRef> chunks = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            chunks.add(chunk(i, "pack-0000000000000001.pack"));
        }
        return chunks;
    }

    @Test
    void unchangedRunsAreCopiesAndNewChunksAreListed() {
        ChunkTable.Base base = new ChunkTable.Base(chunks(1000));
        List<Manifest.ChunkRef> now = chunks(1000);
        now.set(500, chunk(5000, "pack-0000000000000002.pack"));
        now.add(10, chunk(5001, "pack-0000000000000002.pack"));
        Map<String, Integer> packs = new HashMap<>();
        byte[] table = ChunkTable.encode(now, base, packs);
        // three copies (0-9, 10-499, 501-999) and two new chunks
        assertTrue(table.length < 3 * 6 + 2 * 42, table.length + " bytes");
        List<String> names = new ArrayList<>(Arrays.asList(new String[packs.size()]));
        packs.forEach((name, index) -> names.set(index, name));
        assertEquals(now, ChunkTable.decode(table, names, base, ManifestCodec.MAX_CHUNKS, true));
    }

    @Test
    void everyTruncationAndEveryCopyOutsideTheBaseIsRefusedOrListsFewerChunks() {
        ChunkTable.Base base = new ChunkTable.Base(chunks(20));
        List<Manifest.ChunkRef> now = chunks(20);
        now.set(7, chunk(99, "pack-0000000000000002.pack"));
        byte[] table = ChunkTable.encode(now, base, new HashMap<>());
        List<String> names = List.of("pack-0000000000000002.pack");
        for (int length = 0; length < table.length; length++) {
            byte[] truncated = Arrays.copyOf(table, length);
            try {
                List<Manifest.ChunkRef> read = ChunkTable.decode(truncated, names, base, ManifestCodec.MAX_CHUNKS, true);
                assertTrue(read.size() < now.size(), "truncated to " + length);
            } catch (IllegalArgumentException expected) {
                // refused
            }
        }
        byte[] beyond = {0, 15, 6}; // chunks 15 to 20 of a base of 20
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ChunkTable.decode(beyond, names, base, ManifestCodec.MAX_CHUNKS, true));
        assertEquals("'count' is 6, not a whole number from 1 to 5", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ChunkTable.decode(new byte[] {0, 0, 1}, names,
                ChunkTable.Base.NONE, ManifestCodec.MAX_CHUNKS, true), "a copy with no base");
        assertThrows(IllegalArgumentException.class, () -> ChunkTable.decode(new byte[] {0, 0, 20, 0, 0, 20}, names,
                base, 39, true), "copies beyond the room a manifest has");
        byte[] overlong = new byte[12];
        Arrays.fill(overlong, 1, 12, (byte) 0x80);
        assertThrows(IllegalArgumentException.class, () -> ChunkTable.decode(overlong, names, base, 100, true));
    }

    @Test
    void deltasNameTheirBaseAndAreReadOnlyFromFormatFour() {
        Manifest.ChunkRef whole = chunk(1, "pack-0000000000000001.pack");
        Manifest.ChunkRef other = chunk(2, "pack-0000000000000002.pack");
        List<Manifest.ChunkRef> now = List.of(new Manifest.ChunkRef(other.name(), other.pack(), other.offset(),
                other.length(), other.bytes(), whole), chunk(3, "pack-0000000000000002.pack"));
        Map<String, Integer> packs = new HashMap<>();
        byte[] table = ChunkTable.encode(now, ChunkTable.Base.NONE, packs);
        List<String> names = new ArrayList<>(Arrays.asList(new String[packs.size()]));
        packs.forEach((name, index) -> names.set(index, name));
        assertEquals(now, ChunkTable.decode(table, names, ChunkTable.Base.NONE, ManifestCodec.MAX_CHUNKS, true));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ChunkTable.decode(table, names, ChunkTable.Base.NONE, ManifestCodec.MAX_CHUNKS, false));
        assertEquals("a chunk table has an unknown entry 2", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Manifest.ChunkRef(whole.name(), whole.pack(), 0, 9, 9,
                now.get(0)), "a delta against a delta");
        for (int length = 0; length < table.length; length++) {
            byte[] truncated = Arrays.copyOf(table, length);
            try {
                List<Manifest.ChunkRef> read = ChunkTable.decode(truncated, names, ChunkTable.Base.NONE,
                        ManifestCodec.MAX_CHUNKS, true);
                assertTrue(read.size() < now.size() && now.subList(0, read.size()).equals(read), "truncated to " + length);
            } catch (IllegalArgumentException expected) {
                // refused
            }
        }
    }
}
