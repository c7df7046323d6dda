package io.stasis.agent.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SwitchingCompressorTest {

    private static final byte[] CHUNK = new byte[1000];

    @Test
    void theFirstCompressorServesUntilTheThresholdThenTheOtherIsMadeOnce() {
        AtomicInteger made = new AtomicInteger();
        SwitchingCompressor compressor = new SwitchingCompressor(marking(1), () -> {
            made.incrementAndGet();
            return marking(2);
        }, 5000);
        List<Integer> used = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            used.add(compressor.compress(CHUNK, 0, CHUNK.length, new byte[10], 0, 10));
        }
        assertEquals(List.of(1, 1, 1, 1, 2, 2, 2, 2), used);
        assertEquals(1, made.get());
    }

    @Test
    void whileOneThreadMakesTheOtherTheRestCarryOnWithTheFirst() throws Exception {
        AtomicInteger made = new AtomicInteger();
        CountDownLatch making = new CountDownLatch(1);
        CountDownLatch others = new CountDownLatch(1);
        SwitchingCompressor compressor = new SwitchingCompressor(marking(1), () -> {
            made.incrementAndGet();
            making.countDown();
            await(others);
            return marking(2);
        }, 0);
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            Future<Integer> maker = threads.submit(() -> compressor.compress(CHUNK, 0, 1, new byte[10], 0, 10));
            making.await(10, TimeUnit.SECONDS);
            for (int i = 0; i < 100; i++) {
                assertEquals(1, threads.submit(() -> compressor.compress(CHUNK, 0, 1, new byte[10], 0, 10))
                        .get(10, TimeUnit.SECONDS));
            }
            others.countDown();
            assertEquals(2, maker.get(10, TimeUnit.SECONDS));
            assertEquals(2, compressor.compress(CHUNK, 0, 1, new byte[10], 0, 10));
            assertEquals(1, made.get());
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void aFailureToMakeTheOtherLeavesTheFirst() {
        SwitchingCompressor compressor = new SwitchingCompressor(marking(1), () -> {
            throw new IllegalStateException("no library");
        }, 0);
        assertThrows(IllegalStateException.class, () -> compressor.compress(CHUNK, 0, 1, new byte[10], 0, 10));
        assertEquals(1, compressor.compress(CHUNK, 0, 1, new byte[10], 0, 10));
    }

    /** A compressor that writes nothing and returns {@code mark}, to tell which one ran. */
    private static BlockCompressor marking(int mark) {
        return (src, srcOff, srcLen, dest, destOff, maxDestLen) -> mark;
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
