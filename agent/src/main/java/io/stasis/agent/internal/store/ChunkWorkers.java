package io.stasis.agent.internal.store;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/** Chunks hashed and compressed (or read back and checked) together, on up to four cores, in order. */
final class ChunkWorkers implements AutoCloseable {

    /** Chunks handled together: their stored forms are in memory at once. */
    static final int BATCH = 256;
    private static final int WORKERS = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));

    private ExecutorService workers;
    private ExecutorService appender;
    /** Where a pack is gathered for the appending thread ({@link PackWriter}); kept, as one pack is written at a time. */
    private final ByteBuffer[] staging = new ByteBuffer[2];

    /** A function that may find a chunk damaged. */
    @FunctionalInterface
    interface ChunkWork<T> {
        T apply(int index) throws CorruptSnapshotException;
    }

    /**
     * Starts work for indexes 0 to {@code count - 1}, split across the workers, and returns at once,
     * so that the caller can cut the next batch or write the last one meanwhile. Each part of the
     * split runs a {@link ChunkWork} of its own from {@code perPart}, on one thread: what that keeps
     * from index to index (a cipher, a digest) needs no locking.
     */
    <T> Pending<T> start(int count, Supplier<ChunkWork<T>> perPart) {
        List<Callable<List<T>>> tasks = new ArrayList<>();
        int per = Math.max(1, (count + WORKERS - 1) / WORKERS);
        for (int t = 0; t < count; t += per) {
            int first = t;
            int last = Math.min(count, t + per);
            tasks.add(() -> {
                ChunkWork<T> work = perPart.get();
                List<T> part = new ArrayList<>(last - first);
                for (int i = first; i < last; i++) {
                    part.add(work.apply(i));
                }
                return part;
            });
        }
        if (tasks.size() == 1) { // a small batch: here, without waking a worker
            try {
                List<T> done = tasks.get(0).call();
                return () -> done;
            } catch (IOException | RuntimeException e) {
                return () -> {
                    throw e;
                };
            } catch (Exception e) {
                return () -> {
                    throw new IOException(e);
                };
            }
        }
        List<Future<List<T>>> parts = new ArrayList<>(tasks.size());
        try {
            for (Callable<List<T>> task : tasks) {
                parts.add(workers().submit(task));
            }
        } catch (RejectedExecutionException e) {
            parts.forEach(part -> part.cancel(true));
            return () -> {
                throw new IOException("the store was closed while encoding or decoding chunks", e);
            };
        }
        return () -> collect(count, parts);
    }

    /** Work started by {@link #start}. */
    @FunctionalInterface
    interface Pending<T> {
        /** The results in order, once every part is done; a failed part cancels the others. */
        List<T> results() throws IOException;
    }

    private static <T> List<T> collect(int count, List<Future<List<T>>> parts) throws IOException {
        List<T> results = new ArrayList<>(count);
        try {
            for (Future<List<T>> part : parts) {
                results.addAll(await(part, "encoding or decoding chunks"));
            }
            return results;
        } finally {
            parts.forEach(part -> part.cancel(true)); // no-ops when done; stops the rest after a failure
        }
    }

    /**
     * The result of work handed to a thread of the store, its failure as the {@link IOException} it
     * threw or one that wraps it; {@code doing} completes "interrupted while ...".
     */
    static <V> V await(Future<V> work, String doing) throws IOException {
        try {
            return work.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while " + doing);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException("failed while " + doing + ": " + e.getCause(), e.getCause());
        }
    }

    /** Daemon threads, made when first needed, gone with the store. */
    private synchronized ExecutorService workers() {
        if (workers == null) {
            AtomicInteger count = new AtomicInteger();
            workers = Executors.newFixedThreadPool(WORKERS, task -> {
                Thread thread = new Thread(task, "stasis-store-" + count.incrementAndGet());
                thread.setDaemon(true);
                return thread;
            });
        }
        return workers;
    }

    /**
     * Runs {@code write} on the one thread that appends to packs, in the order given, and returns
     * at once: the caller cuts the next batch meanwhile.
     */
    Future<?> append(Callable<?> write) throws IOException {
        try {
            return appender().submit(write);
        } catch (RejectedExecutionException e) {
            throw new IOException("the store was closed while a pack was written", e);
        }
    }

    /**
     * One of the two buffers that a pack is staged in on its way to the appending thread, made the
     * first time and kept for the store's life: outside the heap, so that a channel writes it without
     * copying it first, and not one per checkpoint, as such memory is only given back by a GC.
     */
    synchronized ByteBuffer staging(int turn) {
        if (staging[turn] == null) {
            staging[turn] = ByteBuffer.allocateDirect(PackWriter.STAGING);
        }
        return staging[turn];
    }

    private synchronized ExecutorService appender() {
        if (appender == null) {
            appender = Executors.newSingleThreadExecutor(task -> {
                Thread thread = new Thread(task, "stasis-store-append");
                thread.setDaemon(true);
                return thread;
            });
        }
        return appender;
    }

    @Override
    public synchronized void close() {
        if (workers != null) {
            workers.shutdownNow();
        }
        if (appender != null) {
            appender.shutdownNow();
        }
    }
}
