package io.stasis.agent.internal.store;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where a chunk is read: from its pack (opened without following links, kept open until
 * {@link #close}), its location checked against the pack's size, then decoded and checked against
 * the length its manifest declares. A failure names the pack, the offset and the snapshot.
 */
final class ChunkReader implements AutoCloseable {

    /** The most one read takes in: a run of chunks adjacent in their pack is read in pieces of about this. */
    private static final long MAX_READ = 4 << 20;

    private final BlobStore blobs;
    private final ChunkCodec codec;
    private final ChunkWorkers workers;
    private final Map<String, BlobStore.Reader> open = new LinkedHashMap<>();
    /**
     * Where runs of adjacent chunks are read, kept for the reader's life: one buffer of a few MiB
     * each time would be a humongous allocation to G1 (half a region or more) per run.
     */
    private ByteBuffer runs;

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
        for (int batch = 0; batch < refs.size(); batch += ChunkWorkers.BATCH) {
            int end = Math.min(refs.size(), batch + ChunkWorkers.BATCH);
            List<Manifest.ChunkRef> part = new ArrayList<>(refs.subList(batch, end));
            if (data == null) {
                part.removeIf(chunk -> !checked.add(chunk.name()));
            }
            // this batch is read while the workers decode the one before, each into its place in data
            List<byte[]> stored = stored(ref, part);
            int[] into = new int[part.size()];
            for (int i = 0; i < part.size(); i++) {
                into[i] = at;
                at += data == null ? 0 : (int) part.get(i).bytes();
            }
            if (decoding != null) {
                decoding.results();
            }
            decoding = workers.start(part.size(), i -> {
                byte[] content;
                try {
                    content = decodeExactly(part.get(i), stored.get(i));
                } catch (CorruptSnapshotException e) {
                    throw located(ref, part.get(i), e);
                }
                if (data != null) {
                    System.arraycopy(content, 0, data, into[i], content.length);
                }
                return Boolean.TRUE;
            });
        }
        if (decoding != null) {
            decoding.results();
        }
    }

    /**
     * The stored forms of {@code part}, each location checked first; chunks that lie one after the
     * other in a pack (all of a snapshot's new ones) are read in one call rather than one a chunk.
     */
    private List<byte[]> stored(SnapshotRef ref, List<Manifest.ChunkRef> part) throws IOException {
        List<byte[]> stored = new ArrayList<>(part.size());
        int i = 0;
        while (i < part.size()) {
            Manifest.ChunkRef first = part.get(i);
            BlobStore.Reader channel;
            try {
                channel = checked(first);
            } catch (CorruptSnapshotException e) {
                throw located(ref, first, e);
            }
            int run = i + 1;
            long runEnd = first.offset() + first.length();
            while (run < part.size() && runEnd - first.offset() < MAX_READ) {
                Manifest.ChunkRef next = part.get(run);
                if (!next.pack().equals(first.pack()) || next.offset() != runEnd) {
                    break;
                }
                try {
                    checked(next);
                } catch (CorruptSnapshotException e) {
                    throw located(ref, next, e);
                }
                runEnd += next.length();
                run++;
            }
            int length = Math.toIntExact(runEnd - first.offset());
            ByteBuffer buffer;
            if (run == i + 1) {
                buffer = ByteBuffer.allocate(length);
            } else {
                if (runs == null || runs.capacity() < length) {
                    runs = ByteBuffer.allocate((int) Math.max(length, MAX_READ + ChunkCodec.MAX_STORED));
                }
                buffer = runs.clear().limit(length);
            }
            try {
                channel.read(first.offset(), buffer);
            } catch (EOFException e) {
                throw located(ref, first,
                        new CorruptSnapshotException(StoreDirectory.PACKS + "/" + first.pack() + " ended early"));
            }
            byte[] bytes = buffer.array();
            if (run == i + 1) {
                stored.add(bytes);
            } else {
                for (int at = 0; i < run; i++) {
                    stored.add(Arrays.copyOfRange(bytes, at, at + part.get(i).length()));
                    at += part.get(i).length();
                }
            }
            i = run;
        }
        return stored;
    }

    private static CorruptSnapshotException located(SnapshotRef ref, Manifest.ChunkRef chunk,
                                                    CorruptSnapshotException e) {
        return new CorruptSnapshotException(StoreDirectory.PACKS + "/" + chunk.pack() + " at offset " + chunk.offset()
                + " (snapshot " + ref.id() + "): " + e.getMessage());
    }

    private byte[] decodeExactly(Manifest.ChunkRef chunk, byte[] stored) throws CorruptSnapshotException {
        byte[] content = codec.decode(chunk.name(), stored);
        if (content.length != chunk.bytes()) {
            throw new CorruptSnapshotException("chunk " + chunk.name() + " has " + content.length
                    + " bytes, its manifest says " + chunk.bytes());
        }
        return content;
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
