package io.stasis.agent.internal.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The chunks of the snapshot written before, by root and place, for a writer to store a new chunk
 * as a delta ({@link ChunkDelta}) against the whole chunk at its place there: a changed value
 * then costs about its own bytes rather than the 16 KiB chunk around it. Those whole chunks are
 * read back from their packs, their frames checked (restore checks them by name too); one that does
 * not read is no base, and the new chunk is stored whole.
 */
final class ParentChunks implements AutoCloseable {

    /** No parent: every new chunk is stored whole. */
    static final ParentChunks NONE = new ParentChunks(null, null);

    private final BlobStore blobs;
    private final Map<String, Manifest.StoredRoot> roots = new HashMap<>();
    private final Map<String, BlobStore.Reader> open = new HashMap<>();
    /** Set once the checkpoint is over: a worker still encoding after a failure opens nothing more. */
    private boolean closed;

    /** @param parent the manifest of the snapshot written before, under the writer's key */
    ParentChunks(BlobStore blobs, Manifest parent) {
        this.blobs = blobs;
        if (parent != null) {
            for (Manifest.StoredRoot root : parent.roots()) {
                roots.put(Root.name(root.kind(), root.owner(), root.key()), root);
            }
        }
    }

    /** Where the parent's chunks of {@code root} lie in its data; {@code null} if the parent had no such root. */
    Places of(Root root) {
        Manifest.StoredRoot stored = roots.get(root.name());
        if (stored == null || stored.chunks().isEmpty()) {
            return null;
        }
        List<Manifest.ChunkRef> chunks = stored.chunks();
        long[] starts = new long[chunks.size()];
        for (int i = 1; i < starts.length; i++) {
            starts[i] = starts[i - 1] + chunks.get(i - 1).bytes();
        }
        return new Places(starts, chunks);
    }

    /** One root's chunks in the parent, and where each starts in its data. */
    record Places(long[] starts, List<Manifest.ChunkRef> chunks) {

        /**
         * What a new chunk at {@code [from, from + length)} of the root is stored against: the
         * parent's chunk that overlaps it most, or the whole chunk that one is stored against.
         */
        Base baseFor(int from, int length) {
            int found = Arrays.binarySearch(starts, from);
            int at = found >= 0 ? found : -found - 2;
            if (at + 1 < starts.length && overlap(at + 1, from, length) > overlap(at, from, length)) {
                at++;
            }
            return new Base(chunks.get(at).whole(), (int) (from - starts[at]));
        }

        private long overlap(int chunk, int from, int length) {
            long start = starts[chunk];
            return Math.min(from + (long) length, start + chunks.get(chunk).bytes()) - Math.max(from, start);
        }
    }

    /**
     * A whole chunk to store a new one against, and where the new one starts in its coordinates
     * ({@link ChunkDelta#encode}'s {@code shift}).
     */
    record Base(Manifest.ChunkRef chunk, int shift) {
    }

    /**
     * The content of a whole chunk of the parent, read back with its frame checked, or {@code null}
     * if it does not read: the chunk that would be stored against it is stored whole.
     */
    byte[] content(Manifest.ChunkRef whole, ChunkCodec.Coder coder) {
        try {
            ByteBuffer stored = ByteBuffer.allocate(whole.length());
            synchronized (this) {
                if (closed) {
                    return null;
                }
                BlobStore.Reader reader = open.get(whole.pack());
                if (reader == null) {
                    reader = blobs.open(StoreNames.PACKS + "/" + whole.pack());
                    open.put(whole.pack(), reader);
                }
                reader.read(whole.offset(), stored);
            }
            byte[] content = new byte[whole.bytes()];
            coder.decodeUnnamed(whole.name(), stored.array(), 0, whole.length(), content, 0, whole.bytes());
            return content;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        for (BlobStore.Reader reader : open.values()) {
            try {
                reader.close();
            } catch (IOException e) {
                // read only: nothing is lost
            }
        }
        open.clear();
    }
}
