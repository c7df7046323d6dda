package io.stasis.crac.image;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;

/**
 * Just before a dump, in the imaged JVM: a full collection with the heap's free-ratio bounds
 * lowered, so that the collector gives the free heap back to the operating system and the image
 * holds live data rather than committed-but-free memory. Both bounds are manageable flags of
 * HotSpot's collectors; they are put back at once (the heap grows again as the application
 * allocates after the restore). With {@code -XX:+DisableExplicitGC} nothing is collected.
 */
final class HeapShrink {

    private static final String MIN = "MinHeapFreeRatio";
    private static final String MAX = "MaxHeapFreeRatio";
    /** How much free heap may stay committed after the collection, in percent. */
    private static final String SHRUNK_MAX = "10";

    private HeapShrink() {
    }

    /** Collects and shrinks the heap; returns the bytes of heap in use after the collection. */
    static long collect() {
        HotSpotDiagnosticMXBean hotSpot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        String min = null;
        String max = null;
        try {
            if (hotSpot != null) {
                min = hotSpot.getVMOption(MIN).getValue();
                max = hotSpot.getVMOption(MAX).getValue();
                hotSpot.setVMOption(MIN, "0"); // the minimum first: it may never exceed the maximum
                hotSpot.setVMOption(MAX, SHRUNK_MAX);
            }
        } catch (RuntimeException e) {
            // not HotSpot, or the flags are not manageable here: collect all the same
        }
        try {
            System.gc();
        } finally {
            if (max != null) {
                try {
                    hotSpot.setVMOption(MAX, max);
                    hotSpot.setVMOption(MIN, min);
                } catch (RuntimeException e) {
                    // left lowered: the heap then stays smaller, which costs collections, not correctness
                }
            }
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
