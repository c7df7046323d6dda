package io.stasis.agent.internal.store;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A store's manifests, parsed, verified and resolved against their bases. They are immutable once
 * published, so each is read once and kept, unless asked for afresh (retention and verification
 * must see what the store holds now).
 */
final class Manifests {

    private final BlobStore blobs;
    private final ChunkCodec codec;
    private final Map<Long, Manifest> cache = new ConcurrentHashMap<>();

    Manifests(BlobStore blobs, ChunkCodec codec) {
        this.blobs = blobs;
        this.codec = codec;
    }

    /** The manifest of {@code ref}, read once. */
    Manifest get(SnapshotRef ref) throws IOException {
        return get(ref, false, false);
    }

    /** @param fresh read it from the store again */
    Manifest get(SnapshotRef ref, boolean fresh) throws IOException {
        return get(ref, fresh, false);
    }

    /** Whether {@code sequence} has a manifest (format 2 or later) in the store. */
    boolean exists(long sequence) throws IOException {
        return blobs.exists(StoreNames.manifest(sequence));
    }

    /** The manifest last read for {@code sequence}, if any. */
    Manifest cached(long sequence) {
        return cache.get(sequence);
    }

    /** Keeps a manifest this process just published. */
    void published(Manifest manifest) {
        cache.put(manifest.sequence(), manifest);
    }

    void forget(long sequence) {
        cache.remove(sequence);
    }

    /**
     * @param asBase it is the base of another: it must list every chunk itself, so that its own
     *     base is never read (a forged chain of bases ends here, one deep)
     */
    private Manifest get(SnapshotRef ref, boolean fresh, boolean asBase) throws IOException {
        String file = StoreNames.manifest(ref.sequence());
        Manifest manifest = fresh ? null : cache.get(ref.sequence());
        if (manifest != null && !blobs.exists(file)) {
            cache.remove(ref.sequence()); // retired by another process since it was cached: it no longer exists
            manifest = null;
        }
        if (manifest == null) {
            try {
                manifest = ManifestCodec.read(blobs.read(file, ManifestCodec.MAX_BYTES, file), file, codec,
                        asBase ? null : base -> get(new SnapshotRef(String.valueOf(base), base, 0), fresh, true));
            } catch (NoSuchFileException e) {
                throw new SnapshotRemovedException("snapshot " + ref.id() + " has no manifest (removed meanwhile?)");
            } catch (OutOfMemoryError | RuntimeException e) {
                throw CorruptSnapshotException.unreadable(ref, e);
            }
            if (manifest.sequence() != ref.sequence()) {
                throw new CorruptSnapshotException(file + " holds snapshot " + manifest.sequence()
                        + ", not " + ref.sequence() + " (moved or swapped?)");
            }
            cache.put(ref.sequence(), manifest);
        }
        return manifest;
    }
}
