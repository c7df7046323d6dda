package io.stasis.agent.internal.capture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Output;
import io.stasis.kryo.AllowedClasses;
import io.stasis.kryo.GraphWriteException;
import io.stasis.kryo.SnapshotKryo;
import io.stasis.kryo.ValueGraph;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The roots of a cut share one buffer and come out of it exactly as if each had been written alone. */
class CutBufferTest {

    private final Kryo kryo = SnapshotKryo.create(CutBufferTest.class.getClassLoader(), AllowedClasses.jdk());

    /** A graph of a few KiB whose entries are large enough for their starts to be noted. */
    private static List<Object> graph(int seed) {
        Map<Integer, String> entries = new HashMap<>();
        for (int i = 0; i < 20; i++) {
            entries.put(seed * 100 + i, ("entry " + i + " of " + seed + " ").repeat(20));
        }
        List<String> shared = List.of("shared " + seed, "shared " + seed);
        return List.of(entries, shared, seed);
    }

    private byte[] writtenAlone(List<Object> values) {
        return ValueGraph.write(kryo, new Output(1 << 10, -1), values);
    }

    @Test
    void eachGraphAfterOthersHasTheBytesOfTheGraphWrittenAlone() {
        CutBuffer cut = new CutBuffer();
        List<CutBuffer.Span> spans = new ArrayList<>();
        for (int seed = 0; seed < 3; seed++) {
            spans.add(cut.append(kryo, graph(seed)));
        }
        for (int seed = 0; seed < 3; seed++) {
            assertArrayEquals(writtenAlone(graph(seed)), cut.bytes(spans.get(seed)), "graph " + seed);
            assertEquals(graph(seed), ValueGraph.read(kryo, cut.bytes(spans.get(seed)), 3));
        }
    }

    @Test
    void aGraphThatDoesNotFitBehindTheOthersIsWrittenAgainOnceTheirBytesAreCopiedOut() {
        int graphBytes = writtenAlone(graph(0)).length;
        CutBuffer cut = new CutBuffer(graphBytes * 3 / 2); // room for one graph, not two
        CutBuffer.Span first = cut.append(kryo, graph(0));
        CutBuffer.Span second = cut.append(kryo, graph(1));
        CutBuffer.Span third = cut.append(kryo, graph(2));

        assertSame(cut.bytes(first), cut.bytes(first), "copied out, once, to make room");
        assertArrayEquals(writtenAlone(graph(0)), cut.bytes(first));
        assertArrayEquals(writtenAlone(graph(1)), cut.bytes(second));
        assertArrayEquals(writtenAlone(graph(2)), cut.bytes(third));
    }

    @Test
    void aGraphLargerThanTheWholeBufferIsRefused() {
        int graphBytes = writtenAlone(graph(0)).length;
        CutBuffer cut = new CutBuffer(graphBytes / 2);
        assertThrows(GraphWriteException.class, () -> cut.append(kryo, graph(0)));
        cut.clear();
        assertThrows(GraphWriteException.class, () -> cut.append(kryo, graph(0)));
    }

    @Test
    void aGraphThatFailsForAnotherReasonFailsAtOnceAndLeavesTheOthersInTheBuffer() {
        CutBuffer cut = new CutBuffer();
        CutBuffer.Span first = cut.append(kryo, graph(0));
        Object notAllowed = new Object() { };
        GraphWriteException e = assertThrows(GraphWriteException.class, () -> cut.append(kryo, List.of(notAllowed)));
        assertTrue(e.getMessage().contains("not allowed"), e.getMessage());
        // Still in the buffer, not copied out for a retry: each call copies them afresh.
        assertNotSame(cut.bytes(first), cut.bytes(first));
        assertArrayEquals(writtenAlone(graph(0)), cut.bytes(first));
    }

    @Test
    void aClearedBufferWritesTheNextCutFromItsStart() {
        CutBuffer cut = new CutBuffer();
        cut.append(kryo, graph(0));
        cut.clear();
        CutBuffer.Span span = cut.append(kryo, graph(1));
        assertArrayEquals(writtenAlone(graph(1)), cut.bytes(span));
    }
}
