package io.stasis.agent.internal.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.NoSuchFileException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Copies one committed snapshot of a local store to its mirror, object by object as they are
 * (chunks stay encrypted, names unchanged): the packs its manifest names first, then the manifest,
 * each created only if absent, so that the mirror only ever holds complete snapshots.
 */
final class MirrorCopy {

    /** What is read from the local pack and sent at a time. */
    private static final int PIECE = 4 << 20;

    private MirrorCopy() {
    }

    /** The mirror holds, under a name, another object than the local store: another JVM's history. */
    static final class Conflict extends IOException {
        private static final long serialVersionUID = 1L;

        Conflict(String message) {
            super(message);
        }
    }

    /**
     * Copies snapshot {@code sequence} of {@code local} to {@code mirror}, whose writer's lease this
     * process must hold ({@link BlobStore#holdWriter}, checked again before the manifest).
     *
     * @return whether anything was sent: {@code false} if the mirror had the snapshot already
     * @throws SnapshotRemovedException if the local store retired the snapshot meanwhile
     * @throws Conflict if the mirror holds another snapshot or pack under the same name
     */
    static boolean copy(FileSnapshotStore local, FileSnapshotStore mirror, long sequence) throws IOException {
        BlobStore from = local.blobs();
        BlobStore to = mirror.blobs();
        String manifest = StoreNames.manifest(sequence);
        byte[] json = read(from, manifest, sequence);
        if (to.exists(manifest)) {
            if (Arrays.equals(to.read(manifest, ManifestCodec.MAX_BYTES, manifest), json)) {
                return false; // sent before this process restarted
            }
            throw new Conflict("the mirror " + to.location() + " holds another snapshot " + sequence);
        }
        Set<String> packs = local.manifest(new SnapshotRef(String.valueOf(sequence), sequence, json.length)).packs();
        Map<String, Long> there = new HashMap<>();
        for (BlobStore.Entry entry : to.list(StoreNames.PACKS + "/pack-")) {
            there.put(entry.name(), entry.size());
        }
        for (String pack : packs) {
            String name = StoreNames.PACKS + "/" + pack;
            copyPack(from, to, name, there.get(name), sequence);
        }
        to.checkWriter();
        try (BlobStore.Upload out = to.create(manifest)) {
            out.write(ByteBuffer.wrap(json));
            if (!out.commit()) {
                throw new Conflict("the mirror " + to.location() + " received another snapshot " + sequence
                        + " while this one was sent");
            }
        }
        return true;
    }

    private static byte[] read(BlobStore from, String manifest, long sequence) throws IOException {
        try {
            return from.read(manifest, ManifestCodec.MAX_BYTES, manifest);
        } catch (NoSuchFileException e) {
            throw new SnapshotRemovedException("snapshot " + sequence + " was retired locally before it was mirrored");
        }
    }

    /** A pack already there of the same size is the same pack (its name is the snapshot that wrote it). */
    private static void copyPack(BlobStore from, BlobStore to, String name, Long sizeThere, long sequence)
            throws IOException {
        try (BlobStore.Reader in = from.open(name)) {
            long size = in.size();
            if (sizeThere != null) {
                if (sizeThere == size) {
                    return;
                }
                throw new Conflict("the mirror " + to.location() + " holds another " + name + " (" + sizeThere
                        + " bytes, here " + size + ")");
            }
            try (BlobStore.Upload out = to.create(name)) {
                ByteBuffer piece = ByteBuffer.allocate((int) Math.min(PIECE, Math.max(size, 1)));
                for (long position = 0; position < size; ) {
                    piece.clear().limit((int) Math.min(piece.capacity(), size - position));
                    in.read(position, piece);
                    position += piece.flip().remaining();
                    out.write(piece);
                }
                if (!out.commit()) {
                    throw new Conflict("the mirror " + to.location() + " received another " + name
                            + " while this one was sent");
                }
            }
        } catch (NoSuchFileException e) {
            throw new SnapshotRemovedException("a pack of snapshot " + sequence + " was removed locally before it was"
                    + " mirrored");
        }
    }
}
