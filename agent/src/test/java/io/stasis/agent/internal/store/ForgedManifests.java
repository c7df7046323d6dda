package io.stasis.agent.internal.store;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Manifests an attacker (or a bug) could write: altered and then given a valid checksum, as anyone
 * can for a plain store, so that only the checks on what they declare stand in the way.
 */
public final class ForgedManifests {

    private ForgedManifests() {
    }

    /** The newest manifest of a plain store, parsed. */
    static Manifest newest(Path store) throws IOException {
        try (FileSnapshotStore reader = FileSnapshotStore.openForReading(store)) {
            return reader.manifest(reader.list().get(0));
        }
    }

    /**
     * Writes a copy of the newest snapshot of a plain store as the next one, with {@code change}
     * applied to each of its roots' chunk lists (the roots' {@code bytes} follow), checksummed.
     */
    public static long forgeNext(Path store, UnaryOperator<List<Manifest.ChunkRef>> change) throws IOException {
        Manifest newest = newest(store);
        List<Manifest.StoredRoot> roots = new ArrayList<>();
        for (Manifest.StoredRoot root : newest.roots()) {
            List<Manifest.ChunkRef> chunks = change.apply(new ArrayList<>(root.chunks()));
            roots.add(new Manifest.StoredRoot(root.kind(), root.owner(), root.key(), root.fields(),
                    chunks.stream().mapToLong(Manifest.ChunkRef::bytes).sum(), chunks, root.sharesObjects()));
        }
        return write(store, newest, newest.sequence() + 1, roots);
    }

    /** The first chunk declaring one byte fewer than it decodes to (its root's bytes following). */
    public static long forgeFirstChunkOneByteShort(Path store) throws IOException {
        return forgeNext(store, chunks -> {
            List<Manifest.ChunkRef> changed = new ArrayList<>(chunks);
            Manifest.ChunkRef first = changed.get(0);
            changed.set(0, new Manifest.ChunkRef(first.name(), first.pack(), first.offset(), first.length(),
                    first.bytes() - 1));
            return changed;
        });
    }

    /** Every chunk declaring {@code bytes} decoded bytes. */
    public static long forgeChunkBytes(Path store, int bytes) throws IOException {
        return forgeNext(store, chunks -> chunks.stream().map(c -> new Manifest.ChunkRef(c.name(), c.pack(), c.offset(),
                c.length(), bytes)).toList());
    }

    /**
     * A new pack holding one chunk of {@link Chunker#MAX} zeros, which the first root references
     * {@code times} times: deduplication as the format allows it, taken to gigabytes of data.
     */
    public static long forgeRepeatedChunk(Path store, int times) throws IOException {
        long sequence = newest(store).sequence() + 1;
        byte[] content = new byte[Chunker.MAX];
        String name = ChunkCodec.PLAIN_CODEC.name(content);
        byte[] stored = ChunkCodec.PLAIN_CODEC.coder().encode(name, content, 0, content.length, true);
        String pack = String.format("pack-%016d.pack", sequence);
        Files.write(store.resolve("packs").resolve(pack), stored);
        Manifest.ChunkRef chunk = new Manifest.ChunkRef(name, pack, 0, stored.length, content.length);
        boolean[] first = {true};
        return forgeNext(store, chunks -> {
            if (first[0]) {
                first[0] = false;
                return Collections.nCopies(times, chunk);
            }
            return chunks;
        });
    }

    /** A manifest file of {@code bytes} bytes (sparse) as the next snapshot. */
    public static long forgeHugeManifest(Path store, long bytes) throws IOException {
        long sequence = newest(store).sequence() + 1;
        try (RandomAccessFile file = new RandomAccessFile(
                store.resolve(String.format("manifests/snapshot-%016d.json", sequence)).toFile(), "rw")) {
            file.setLength(bytes);
        }
        return sequence;
    }

    /**
     * Copies the newest snapshot of the plain store {@code plain} into {@code store} as its next
     * snapshot (manifest and pack, renamed), checksummed as a plain manifest: what another user
     * could plant in an encrypted store they can write.
     */
    public static long copyPlainAsNext(Path plain, Path store) throws IOException {
        Manifest copied = newest(plain);
        long sequence;
        try (FileSnapshotStore target = FileSnapshotStore.openForReading(store)) {
            sequence = target.list().get(0).sequence() + 1;
        }
        String pack = String.format("pack-%016d.pack", sequence);
        List<Manifest.StoredRoot> roots = new ArrayList<>();
        for (Manifest.StoredRoot root : copied.roots()) {
            List<Manifest.ChunkRef> chunks = new ArrayList<>();
            for (Manifest.ChunkRef c : root.chunks()) {
                Files.copy(plain.resolve("packs").resolve(c.pack()), store.resolve("packs").resolve(pack),
                        StandardCopyOption.REPLACE_EXISTING);
                chunks.add(new Manifest.ChunkRef(c.name(), pack, c.offset(), c.length(), c.bytes()));
            }
            roots.add(new Manifest.StoredRoot(root.kind(), root.owner(), root.key(), root.fields(), root.bytes(), chunks,
                    root.sharesObjects()));
        }
        return write(store, copied, sequence, roots);
    }

    /** {@code like} with another sequence number and roots, plain, under its name. */
    static long write(Path store, Manifest like, long sequence, List<Manifest.StoredRoot> roots) throws IOException {
        Manifest forged = new Manifest(sequence, like.time(), like.reason(), like.sequence(), -1, like.pauseNanos(),
                like.writeNanos(), like.agent(), like.jvm(), null, like.classes(), roots);
        Files.write(store.resolve(String.format("manifests/snapshot-%016d.json", sequence)),
                ManifestCodec.write(forged, null, ChunkCodec.PLAIN_CODEC));
        return sequence;
    }
}
