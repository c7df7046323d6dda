package io.stasis.crac.image;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.JMException;
import javax.management.ObjectName;

/**
 * Just before a dump, in the imaged JVM: a full collection with the heap's free-ratio bounds
 * lowered, so that the collector gives the free heap back to the operating system and the image
 * holds live data rather than committed-but-free memory. Both bounds are manageable flags of
 * HotSpot's collectors; they are put back at once (the heap grows again as the application
 * allocates after the restore). With {@code -XX:+DisableExplicitGC} nothing is collected. Then the C
 * heap's free memory goes back too ({@code System.trim_native_heap}, glibc's {@code malloc_trim}):
 * what the JIT's and the class loaders' arenas freed, tens of megabytes in a Spring Boot service.
 *
 * <p>G1 (JDK 17 and later) hands the shrunk regions back on its service thread, from about 100 ms
 * after the collection and 128 MB per step, so the dump waits, within a bound, until the heap's
 * mappings hold no more than the heap it reports committed. A young collection in that time (the
 * application allocates on) grows the heap again, by a fifth of what is free after a full
 * collection's pause, and takes first the regions not yet handed back, the garbage still in them:
 * then the collection is repeated, a few times at most.
 */
final class HeapShrink {

    private static final String MIN = "MinHeapFreeRatio";
    private static final String MAX = "MaxHeapFreeRatio";
    /** How much free heap may stay committed after the collection, in percent. */
    private static final String SHRUNK_MAX = "10";
    /** Collections at most, when the heap grows again before G1 has given the shrunk regions back. */
    private static final int ROUNDS = 3;
    /** How long each round may wait for G1 to give the shrunk regions back. */
    private static final long ROUND_BOUND_NANOS = 1_000_000_000L;
    private static final long POLL_MILLIS = 20;
    /** {@code GC.heap_info}'s first line with G1: the heap's reserved address range. */
    private static final Pattern G1_RANGE = Pattern.compile("garbage-first heap .*\\[0x([0-9a-f]+), 0x([0-9a-f]+)\\)");

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
        HeapRange range = g1Range();
        try {
            for (int round = 0; round < ROUNDS; round++) {
                System.gc();
                if (range == null || awaitUncommit(range)) {
                    break; // Serial and Parallel shrink during the collection
                }
            }
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
        trimNativeHeap();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /**
     * Waits until G1's heap range maps no more writable memory than the heap has committed; false
     * if the heap grew meanwhile, perhaps into regions that still hold the garbage.
     */
    private static boolean awaitUncommit(HeapRange range) {
        try {
            long shrunk = committed();
            long deadline = System.nanoTime() + ROUND_BOUND_NANOS;
            while (range.writableBytes() > shrunk) {
                if (committed() > shrunk) {
                    return false;
                }
                if (System.nanoTime() - deadline > 0) {
                    return true; // bounded: the image may hold some of the garbage
                }
                Thread.sleep(POLL_MILLIS);
            }
            return committed() <= shrunk;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            // no /proc: the image may hold regions G1 had yet to give back
        }
        return true;
    }

    static long committed() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted();
    }

    /** G1's reserved heap addresses, from {@code GC.heap_info}; null with another collector or none. */
    static HeapRange g1Range() {
        try {
            Matcher range = G1_RANGE.matcher(diagnosticCommand("gcHeapInfo"));
            return range.find()
                    ? new HeapRange(Long.parseUnsignedLong(range.group(1), 16), Long.parseUnsignedLong(range.group(2), 16))
                    : null;
        } catch (JMException | RuntimeException e) {
            return null; // no diagnostic command here: nothing to wait for
        }
    }

    /** Addresses {@code [start, end)} of this process. */
    static final class HeapRange {

        private final long start;
        private final long end;
        /** {@code /proc/self/maps}, read again into the same array at each poll. */
        private byte[] maps = new byte[64 << 10];

        HeapRange(long start, long end) {
            this.start = start;
            this.end = end;
        }

        /**
         * The bytes of this process's writable mappings within the range. Parsed from bytes into a
         * reused array, so that polling allocates next to nothing: allocating is what would make
         * the heap grow again.
         */
        long writableBytes() throws IOException {
            int length = 0;
            try (InputStream in = new FileInputStream("/proc/self/maps")) {
                for (int n; (n = in.read(maps, length, maps.length - length)) > 0; ) {
                    length += n;
                    if (length == maps.length) {
                        maps = Arrays.copyOf(maps, maps.length * 2);
                    }
                }
            }
            long bytes = 0;
            int i = 0;
            while (i < length) {
                int dash = indexOf((byte) '-', i, length);
                int space = indexOf((byte) ' ', dash, length);
                long from = hex(i, dash);
                long to = hex(dash + 1, space);
                if (from >= start && to <= end && maps[space + 1] == 'r' && maps[space + 2] == 'w') {
                    bytes += to - from;
                }
                i = indexOf((byte) '\n', space, length) + 1;
            }
            return bytes;
        }

        private int indexOf(byte b, int from, int length) throws IOException {
            for (int i = from; i < length; i++) {
                if (maps[i] == b) {
                    return i;
                }
            }
            if (b == '\n') {
                return length - 1;
            }
            throw new IOException("/proc/self/maps has a line this does not read");
        }

        private long hex(int from, int to) {
            long value = 0;
            for (int i = from; i < to; i++) {
                value = (value << 4) | Character.digit(maps[i], 16);
            }
            return value;
        }
    }

    /** {@code jcmd PID System.trim_native_heap}, from inside: HotSpot on glibc, JDK 17.0.9 and later. */
    private static void trimNativeHeap() {
        try {
            diagnosticCommand("systemTrimNativeHeap");
        } catch (JMException | RuntimeException e) {
            // not there (another JDK or C library): the image keeps the C heap's free memory, as before
        }
    }

    /** Runs a {@code jcmd} command without arguments in this JVM; returns what it printed. */
    private static String diagnosticCommand(String operation) throws JMException {
        Object out = ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), operation, new Object[0], new String[0]);
        return out == null ? "" : out.toString();
    }
}
