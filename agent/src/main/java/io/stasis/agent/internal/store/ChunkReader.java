package io.stasis.agent.internal.store;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
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

    private final BlobStore blobs;
    private final ChunkCodec codec;
    private final ChunkWorkers workers;
    private final Map<String, BlobStore.Reader> open = new LinkedHashMap<>();

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
        for (int batch = 0; batch < refs.size(); batch += ChunkWorkers.BATCH) {
            int end = Math.min(refs.size(), batch + ChunkWorkers.BATCH);
            List<Manifest.ChunkRef> part = new ArrayList<>(refs.subList(batch, end));
            if (data == null) {
                part.removeIf(chunk -> !checked.add(chunk.name()));
            }
            List<byte[]> stored = new ArrayList<>(part.size());
            for (Manifest.ChunkRef chunk : part) {
                try {
                    stored.add(stored(chunk));
                } catch (CorruptSnapshotException e) {
                    throw located(ref, chunk, e);
                }
            }
            List<byte[]> contents = workers.inParallel(part.size(), i -> {
                try {
                    return decodeExactly(part.get(i), stored.get(i));
                } catch (CorruptSnapshotException e) {
                    throw located(ref, part.get(i), e);
                }
            });
            if (data != null) {
                for (byte[] content : contents) {
                    System.arraycopy(content, 0, data, at, content.length);
                    at += content.length;
                }
            }
        }
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

    /** A chunk's stored form, its location checked against the pack's size before anything is allocated. */
    private byte[] stored(Manifest.ChunkRef chunk) throws IOException {
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
        ByteBuffer buffer = ByteBuffer.allocate(chunk.length());
        try {
            channel.read(chunk.offset(), buffer);
        } catch (EOFException e) {
            throw new CorruptSnapshotException(StoreDirectory.PACKS + "/" + chunk.pack() + " ended early");
        }
        return buffer.array();
    }

    @Override
    public void close() throws IOException {
        for (BlobStore.Reader channel : open.values()) {
            channel.close();
        }
    }
}
