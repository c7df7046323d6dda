package io.stasis.agent.internal.store;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Compresses in pure Java until this JVM has compressed {@code threshold} bytes, then through the
 * compressor {@code faster} makes (the native one). Loading the native library costs tens of
 * milliseconds of CPU, more than pure Java spends on the few megabytes a small application ever
 * writes; past the threshold it pays for itself. One thread makes it while the others carry on in
 * pure Java.
 */
final class SwitchingCompressor implements BlockCompressor {

    private final BlockCompressor first;
    private final Supplier<BlockCompressor> faster;
    private final long threshold;
    private final AtomicLong compressed = new AtomicLong();
    private final AtomicBoolean making = new AtomicBoolean();
    private volatile BlockCompressor chosen;

    SwitchingCompressor(BlockCompressor first, Supplier<BlockCompressor> faster, long threshold) {
        this.first = first;
        this.faster = faster;
        this.threshold = threshold;
    }

    @Override
    public int compress(byte[] src, int srcOff, int srcLen, byte[] dest, int destOff, int maxDestLen) {
        BlockCompressor use = chosen;
        if (use == null) {
            use = compressed.addAndGet(srcLen) >= threshold && making.compareAndSet(false, true) ? choose() : first;
        }
        return use.compress(src, srcOff, srcLen, dest, destOff, maxDestLen);
    }

    private BlockCompressor choose() {
        BlockCompressor made = first;
        try {
            made = faster.get();
        } finally {
            chosen = made;
        }
        return made;
    }
}
