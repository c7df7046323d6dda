package io.stasis.agent.internal.store;

import io.stasis.agent.internal.events.WriteTrace;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One checkpoint's pack: cuts each root's data into chunks ({@link Chunker}), names and encodes
 * them on the workers, and appends those the store does not hold yet to the pack; a new chunk is
 * stored as a delta against the parent's chunk at its place when that is less than half its size
 * ({@link ParentChunks}). Pipelined: while the workers name and encode one batch, the caller's
 * thread cuts the next, and the appending thread ({@link ChunkWorkers#append}) writes the one
 * before. {@link #finish} waits for the last write.
 */
final class PackWriter implements AutoCloseable {

    /**
     * After this many new chunks in a row that no delta could store, a root's data was replaced
     * rather than edited: its other chunks are stored whole without reading their bases back, but
     * for one in every {@link #PROBE} of a batch, whose delta would start trying again.
     */
    private static final int GIVE_UP = 32;
    private static final int PROBE = 64;

    /** The size of each staging buffer: some 60 to 80 new chunks; a batch fills several, each written once full. */
    static final int STAGING = 1 << 20;

    private final BlobStore.Upload out;
    private final String packName;
    private final ChunkCodec codec;
    private final ChunkWorkers workers;
    private final boolean compress;
    /** The chunks the store holds already, by name: referenced, not stored again. */
    private final Map<String, Manifest.ChunkRef> known;
    private final ParentChunks parent;
    private final Map<String, Manifest.ChunkRef> added = new HashMap<>();
    private final WriteTrace trace;
    private long offset;
    /** The last bytes handed to the appending thread, written while the next are cut, encoded and staged. */
    private Future<?> appending;
    /**
     * Where new chunks are gathered for the appending thread ({@link ChunkWorkers#staging}), two in
     * turn: one fills while the other is written.
     */
    private final ByteBuffer[] staging = new ByteBuffer[2];
    private int filling;

    /**
     * @param packName the pack's name, as manifests give it
     * @param compress LZ4-compress new chunks ({@code compression=lz4}), or store them as they are
     */
    PackWriter(BlobStore.Upload out, String packName, ChunkCodec codec, ChunkWorkers workers, boolean compress,
            Map<String, Manifest.ChunkRef> known, ParentChunks parent, WriteTrace trace) {
        this.out = out;
        this.packName = packName;
        this.codec = codec;
        this.workers = workers;
        this.compress = compress;
        this.known = known;
        this.parent = parent;
        this.trace = trace;
    }

    /** Chunks one root into the pack; returns it as its manifest lists it. */
    Manifest.StoredRoot append(Root root) throws IOException {
        List<Manifest.ChunkRef> chunks = new ArrayList<>();
        byte[] data = root.data();
        ParentChunks.Places places = parent.of(root);
        AtomicInteger misses = new AtomicInteger(); // new chunks in a row that no delta could store
        long stage = System.nanoTime();
        int[] batch = Chunker.boundaries(data, 0, ChunkWorkers.BATCH);
        trace.chunking(System.nanoTime() - stage);
        ChunkWorkers.Pending<Encoded> pending = batch.length == 0 ? null : encode(data, places, misses, 0, batch);
        while (pending != null) {
            int nextStart = batch[batch.length - 1];
            stage = System.nanoTime();
            int[] next = Chunker.boundaries(data, nextStart, ChunkWorkers.BATCH);
            trace.chunking(System.nanoTime() - stage);
            ChunkWorkers.Pending<Encoded> following = next.length == 0 ? null : encode(data, places, misses, nextStart, next);
            stage = System.nanoTime();
            List<Encoded> encoded = pending.results();
            trace.encoding(System.nanoTime() - stage);
            stage = System.nanoTime();
            appendBatch(encoded, chunks);
            trace.packWrite(System.nanoTime() - stage);
            pending = following;
            batch = next;
        }
        return new Manifest.StoredRoot(root.kind(), root.owner(), root.key(), root.fields(), data.length, chunks,
                root.sharesObjects());
    }

    /** The chunks this pack holds, by name. */
    Map<String, Manifest.ChunkRef> added() {
        return added;
    }

    /** The pack's length so far. */
    long bytes() {
        return offset;
    }

    private void appendBatch(List<Encoded> encoded, List<Manifest.ChunkRef> chunks) throws IOException {
        for (Encoded piece : encoded) {
            Manifest.ChunkRef chunk = known.containsKey(piece.name()) ? known.get(piece.name()) : added.get(piece.name());
            if (chunk == null) {
                stage(piece.stored());
                chunk = new Manifest.ChunkRef(piece.name(), packName, offset, piece.stored().length, piece.bytes(),
                        piece.base());
                offset += piece.stored().length;
                added.put(piece.name(), chunk);
            }
            chunks.add(chunk);
        }
        handOff(); // a batch at a time at least: the next is cut and encoded meanwhile
    }

    /** Copies {@code bytes} to the staging buffer being filled, handing it over whenever it is full. */
    private void stage(byte[] bytes) throws IOException {
        for (int at = 0; at < bytes.length; ) {
            if (staging[filling] == null) {
                staging[filling] = workers.staging(filling).duplicate().clear(); // positions of its own
            }
            ByteBuffer buffer = staging[filling];
            int length = Math.min(buffer.remaining(), bytes.length - at);
            buffer.put(bytes, at, length);
            at += length;
            if (!buffer.hasRemaining()) {
                handOff();
            }
        }
    }

    /**
     * Hands what is staged to the appending thread once it has written what it was handed before,
     * and goes on filling the other buffer, written by then.
     */
    private void handOff() throws IOException {
        ByteBuffer staged = staging[filling];
        if (staged == null || staged.position() == 0) {
            return;
        }
        finish();
        ByteBuffer written = staged.flip().duplicate(); // its own position: the buffer is filled again later
        appending = workers.append(() -> {
            out.write(written);
            return null;
        });
        filling ^= 1;
        if (staging[filling] != null) {
            staging[filling].clear();
        }
    }

    /** Waits until every chunk appended so far is written to the upload. */
    void finish() throws IOException {
        if (appending == null) {
            return;
        }
        try {
            ChunkWorkers.await(appending, "writing the pack");
        } finally {
            appending = null;
        }
    }

    /** Waits for a write under way, so that the upload is never closed under it; its failure is the caller's already. */
    @Override
    public void close() {
        try {
            finish();
        } catch (IOException e) {
            // the checkpoint failed before: the upload is discarded
        }
    }

    /**
     * A chunk's name, its length, its stored form ({@code null} when the store holds it already), and
     * the whole chunk that form is a delta against ({@code null}: stored whole).
     */
    private record Encoded(String name, int bytes, byte[] stored, Manifest.ChunkRef base) {
    }

    /**
     * Starts naming and encoding the chunks of {@code data} from {@code start} to each of {@code ends};
     * {@code places} are the parent's chunks of the same root, or {@code null}.
     */
    private ChunkWorkers.Pending<Encoded> encode(byte[] data, ParentChunks.Places places, AtomicInteger misses, int start,
                                                 int[] ends) {
        return workers.start(ends.length, () -> {
            ChunkCodec.Coder coder = codec.coder();
            return i -> {
                int from = i == 0 ? start : ends[i - 1];
                int length = ends[i] - from;
                String name = coder.name(data, from, length);
                if (known.containsKey(name)) {
                    return new Encoded(name, length, null, null);
                }
                if (places != null && (misses.get() < GIVE_UP || i % PROBE == 0)) {
                    ParentChunks.Base base = places.baseFor(from, length);
                    byte[] baseContent = parent.content(base.chunk(), coder);
                    byte[] delta = baseContent == null ? null
                            : ChunkDelta.encode(baseContent, base.shift(), data, from, length);
                    if (delta != null) {
                        misses.set(0);
                        return new Encoded(name, length, coder.encode(name, delta, 0, delta.length, compress), base.chunk());
                    }
                    misses.incrementAndGet();
                }
                return new Encoded(name, length, coder.encode(name, data, from, length, compress), null);
            };
        });
    }
}
