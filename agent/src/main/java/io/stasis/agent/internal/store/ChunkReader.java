package io.stasis.agent.internal.store;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where a chunk is read: from its pack (opened without following links, kept open until
 * {@link #close}), its location checked against the pack's size, then decoded and checked against
 * the length its manifest declares; a chunk stored as a delta is read with its base and checked once
 * applied. A failure names the pack, the offset and the snapshot.
 */
final class ChunkReader implements AutoCloseable {

    /** The most one read takes in: a run of chunks adjacent in their pack is read in pieces of about this. */
    private static final long MAX_READ = 4 << 20;

    private final BlobStore blobs;
    private final ChunkCodec codec;
    private final ChunkWorkers workers;
    private final Map<String, BlobStore.Reader> open = new LinkedHashMap<>();
    /**
     * Where a batch's stored chunks are read, two in turn (the workers decode one batch while the
     * next is read), kept for the reader's life: a buffer of a MiB or more each time would be a
     * humongous allocation to G1 (half a region or more) per batch.
     */
    private final ByteBuffer[] batches = new ByteBuffer[2];

    /** @param codec the codec of the snapshot's key */
    ChunkReader(BlobStore blobs, ChunkCodec codec, ChunkWorkers workers) {
        this.blobs = blobs;
        this.codec = codec;
        this.workers = workers;
    }

    /**
     * Reads, decodes and checks {@code refs} in order, into {@code data} from its start; without
     * {@code data}, only the chunks not in {@code checked} yet, each once.
     */
    void read(SnapshotRef ref, List<Manifest.ChunkRef> refs, byte[] data, Set<String> checked) throws IOException {
        int at = 0;
        ChunkWorkers.Pending<Boolean> decoding = null;
        for (int batch = 0, turn = 0; batch < refs.size(); batch += ChunkWorkers.BATCH, turn ^= 1) {
            int end = Math.min(refs.size(), batch + ChunkWorkers.BATCH);
            List<Manifest.ChunkRef> part = new ArrayList<>(refs.subList(batch, end));
            if (data == null) {
                part.removeIf(chunk -> !checked.add(chunk.name()));
            }
            // the bases of its deltas are read after it, each once
            List<Manifest.ChunkRef> pieces = new ArrayList<>(part);
            Map<String, Integer> bases = new HashMap<>();
            int[] base = new int[part.size()];
            for (int i = 0; i < part.size(); i++) {
                Manifest.ChunkRef whole = part.get(i).base();
                base[i] = whole == null ? -1 : bases.computeIfAbsent(whole.name(), name -> {
                    pieces.add(whole);
                    return pieces.size() - 1;
                });
            }
            // this batch is read while the workers decode the one before, each into its place in data
            byte[] stored = stored(ref, pieces, turn);
            int[] from = new int[pieces.size()];
            int[] into = new int[part.size()];
            for (int i = 0, next = 0; i < pieces.size(); i++) {
                from[i] = next;
                next += pieces.get(i).length();
            }
            for (int i = 0; i < part.size(); i++) {
                into[i] = at;
                at += data == null ? 0 : part.get(i).bytes();
            }
            if (decoding != null) {
                decoding.results();
            }
            decoding = workers.start(part.size(), () -> {
                ChunkCodec.Coder coder = codec.coder();
                return i -> {
                    Manifest.ChunkRef chunk = part.get(i);
                    byte[] content = data == null ? new byte[chunk.bytes()] : data;
                    if (base[i] < 0) {
                        decode(ref, coder, chunk, stored, from[i], content, into[i]);
                    } else {
                        Manifest.ChunkRef whole = chunk.base();
                        byte[] baseContent = new byte[whole.bytes()];
                        decode(ref, coder, whole, stored, from[base[i]], baseContent, 0);
                        try {
                            coder.decodeDelta(chunk.name(), stored, from[i], chunk.length(), baseContent, content, into[i],
                                    chunk.bytes());
                        } catch (CorruptSnapshotException e) {
                            throw located(ref, chunk, e);
                        }
                    }
                    return Boolean.TRUE;
                };
            });
        }
        if (decoding != null) {
            decoding.results();
        }
    }

    /** Decodes a chunk stored whole, failing with its location. */
    private static void decode(SnapshotRef ref, ChunkCodec.Coder coder, Manifest.ChunkRef chunk, byte[] stored, int from,
                               byte[] content, int at) throws CorruptSnapshotException {
        try {
            coder.decode(chunk.name(), stored, from, chunk.length(), content, at, chunk.bytes());
        } catch (CorruptSnapshotException e) {
            throw located(ref, chunk, e);
        }
    }

    /**
     * Reads the stored forms of {@code part}, one after the other, into the buffer of this
     * {@code turn}, and returns its array; each location is checked first. Chunks that lie one after
     * the other in a pack (all of a snapshot's new ones) are read in one call rather than one a chunk.
     */
    private byte[] stored(SnapshotRef ref, List<Manifest.ChunkRef> part, int turn) throws IOException {
        long total = 0;
        for (Manifest.ChunkRef chunk : part) {
            try {
                checked(chunk);
            } catch (CorruptSnapshotException e) {
                throw located(ref, chunk, e);
            }
            total += chunk.length();
        }
        if (batches[turn] == null || batches[turn].capacity() < total) {
            batches[turn] = ByteBuffer.allocate(Math.toIntExact(total)); // at most a batch of the longest chunks
        }
        ByteBuffer buffer = batches[turn];
        int i = 0;
        int at = 0;
        while (i < part.size()) {
            Manifest.ChunkRef first = part.get(i);
            int run = i + 1;
            long runEnd = first.offset() + first.length();
            while (run < part.size() && runEnd - first.offset() < MAX_READ) {
                Manifest.ChunkRef next = part.get(run);
                if (!next.pack().equals(first.pack()) || next.offset() != runEnd) {
                    break;
                }
                runEnd += next.length();
                run++;
            }
            int length = Math.toIntExact(runEnd - first.offset());
            try {
                open.get(first.pack()).read(first.offset(), buffer.slice(at, length));
            } catch (EOFException e) {
                throw located(ref, first,
                        new CorruptSnapshotException(StoreDirectory.PACKS + "/" + first.pack() + " ended early"));
            }
            at += length;
            i = run;
        }
        return buffer.array();
    }

    private static CorruptSnapshotException located(SnapshotRef ref, Manifest.ChunkRef chunk,
                                                    CorruptSnapshotException e) {
        return new CorruptSnapshotException(StoreDirectory.PACKS + "/" + chunk.pack() + " at offset " + chunk.offset()
                + " (snapshot " + ref.id() + "): " + e.getMessage());
    }

    /** The pack of a chunk, open, the chunk's location checked against its size before anything is allocated. */
    private BlobStore.Reader checked(Manifest.ChunkRef chunk) throws IOException {
        if (chunk.length() < 0 || chunk.offset() < 0 || !ManifestCodec.PACK_NAME.matcher(chunk.pack()).matches()) {
            throw new CorruptSnapshotException("chunk " + chunk.name() + " has a bad location in its manifest");
        }
        BlobStore.Reader channel = open.get(chunk.pack());
        if (channel == null) {
            try {
                channel = blobs.open(StoreDirectory.PACKS + "/" + chunk.pack());
            } catch (NoSuchFileException e) {
                throw new CorruptSnapshotException(StoreDirectory.PACKS + "/" + chunk.pack() + " is missing");
            }
            open.put(chunk.pack(), channel);
        }
        if (chunk.offset() + chunk.length() > channel.size()) {
            throw new CorruptSnapshotException(StoreDirectory.PACKS + "/" + chunk.pack() + " is truncated: chunk "
                    + chunk.name() + " ends at " + (chunk.offset() + chunk.length()) + ", the file at "
                    + channel.size());
        }
        return channel;
    }

    @Override
    public void close() throws IOException {
        for (BlobStore.Reader channel : open.values()) {
            channel.close();
        }
    }
}
