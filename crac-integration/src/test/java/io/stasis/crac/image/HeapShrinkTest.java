package io.stasis.crac.image;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HeapShrinkTest {

    private static final int MB = 1 << 20;

    @Test
    void theShrunkRegionsAreGivenBackBeforeCollectReturns() throws Exception {
        HeapShrink.HeapRange range = HeapShrink.g1Range();
        assertNotNull(range, "the test JVM runs G1, the default collector on this machine");
        // Held until here, so that the heap must grow to hold them; then garbage.
        List<byte[]> held = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            held.add(new byte[MB]);
        }
        long before = range.writableBytes();
        held.clear();

        long live = HeapShrink.collect();

        long after = range.writableBytes();
        assertTrue(live < 200L * MB, "live heap " + live);
        // G1 gives shrunk regions back on its own thread, 100 ms and more after the collection:
        // without the wait the heap's mappings still held them here.
        assertTrue(after <= HeapShrink.committed(), after + " bytes mapped, " + HeapShrink.committed() + " committed");
        assertTrue(before - after > 200L * MB, "mapped before " + before + ", after " + after);
    }
}
