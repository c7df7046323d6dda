package io.stasis.agent.internal.store;

import io.stasis.agent.internal.metrics.StoreStats;
import io.stasis.agent.internal.events.WriteTrace;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Snapshots in one store ({@link BlobStore}: a directory, or a bucket) as content-addressed chunks in pack files plus one small JSON
 * manifest per snapshot (format 4, {@code docs/format.md}; formats 1 to 3 are still read):
 *
 * <pre>
 * dir/.lock                                   the writer's lock
 * dir/packs/pack-NNNNNNNNNNNNNNNN.pack        the chunks a snapshot added, appended
 * dir/manifests/snapshot-NNNNNNNNNNNNNNNN.json what a snapshot holds: roots and their chunks
 * dir/snapshot-NNNNNNNNNNNNNNNN.stasis        snapshots of format 1, still read
 * </pre>
 *
 * <p>A checkpoint chunks each root's data by content; chunks that an earlier snapshot already
 * stored are referenced, not written again. The new ones go into one pack ({@link PackWriter}),
 * which is published durably before the manifest that names them; the manifest is published last,
 * so a manifest on disk always denotes a complete snapshot and a crash leaves at most an
 * unreferenced pack, which {@link #gc} removes. A manifest lists its chunks against a full base
 * snapshot ({@link ChunkTable}), which {@link Retention} keeps as long as a kept snapshot needs
 * it. Every chunk is verified when read ({@link ChunkReader}); manifests are read once
 * ({@link Manifests}). One writer at a time holds the store's exclusion ({@code .lock} in a
 * directory); retention and collection run under it, in the writer's process. No object is ever
 * replaced: each is created only if absent. This class ties those parts together and keeps the
 * writer's state: the exclusion, the next sequence, and the index of chunks held.
 */
public final class FileSnapshotStore implements SnapshotStore {

    /** Files of format 1 are one Java array at most. */
    private static final long MAX_VERSION_1_BYTES = Integer.MAX_VALUE - 8;
    /** The most snapshots stored against one base before the next lists every chunk again. */
    static final int MAX_DELTAS = 16;

    private final BlobStore blobs;
    private final ChunkCodec codec;
    /** Whether the writer's exclusion is held now; false while writing is suspended. */
    private volatile boolean locked;
    /** Whether this store was opened to write. */
    private final boolean writer;
    private final Manifests manifests;
    private final Retention retention;
    /** Chunks stored under the current key, by name, from the manifests present. */
    private Map<String, Manifest.ChunkRef> index;
    private long nextSequence = -1;
    private long lastWritten = -1;
    /** Whether new chunks are LZ4-compressed ({@code compression=lz4}) or stored as they are ({@code none}). */
    private volatile boolean compress = true;
    private final ChunkWorkers workers = new ChunkWorkers();
    private final StoreStats stats = new StoreStats();

    private FileSnapshotStore(BlobStore blobs, StoreKey key, boolean acceptPlain, boolean writer) {
        this.blobs = blobs;
        this.codec = new ChunkCodec(key, acceptPlain);
        this.manifests = new Manifests(blobs, codec);
        this.retention = new Retention(this, blobs, manifests);
        this.locked = writer;
        this.writer = writer;
    }

    /**
     * Whether the chunks this writer adds are compressed (the default). Without, a write costs a
     * fraction of the CPU and takes more room; both are read alike, so it can change at any time.
     */
    public void compressChunks(boolean compress) {
        this.compress = compress;
    }

    /**
     * Whether the local store in {@code dir} may hold a snapshot, from its listing alone (nothing is
     * read or trusted): a hint for preparing ahead, never a reason to restore.
     */
    public static boolean mayHoldSnapshots(Path dir) {
        Path manifestDir = dir == null ? null : dir.resolve(StoreNames.MANIFESTS);
        if (manifestDir == null || !Files.isDirectory(manifestDir, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        try (DirectoryStream<Path> manifests = Files.newDirectoryStream(manifestDir)) {
            return manifests.iterator().hasNext();
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Opens {@code dir} to read snapshots only. */
    public static FileSnapshotStore openForReading(Path dir) throws IOException {
        return openForReading(dir, null, false);
    }

    /**
     * Opens {@code dir} to read snapshots only, decrypting with {@code key} ({@code null}: none).
     *
     * @param acceptPlain with a key, read plain (unauthenticated) snapshots too: only to migrate a
     *     store that was plain ({@code encryption.accept-plain})
     * @throws io.stasis.files.UnsafePathException if the directory is not this user's alone
     */
    public static FileSnapshotStore openForReading(Path dir, StoreKey key, boolean acceptPlain) throws IOException {
        return openForReading(new DirectoryBlobs(dir), key, acceptPlain);
    }

    /** Opens a store of any kind to read snapshots only; see {@link #openForReading(Path, StoreKey, boolean)}. */
    public static FileSnapshotStore openForReading(BlobStore blobs, StoreKey key, boolean acceptPlain)
            throws IOException {
        blobs.prepareForReading();
        return new FileSnapshotStore(blobs, key, acceptPlain, false);
    }

    /** Opens {@code dir} to read snapshots only; with a key, plain snapshots are refused. */
    public static FileSnapshotStore openForReading(Path dir, StoreKey key) throws IOException {
        return openForReading(dir, key, false);
    }

    public static FileSnapshotStore openForWriting(Path dir) throws IOException {
        return openForWriting(dir, null, false);
    }

    /** Opens {@code dir} to write; with a key, plain snapshots are refused. */
    public static FileSnapshotStore openForWriting(Path dir, StoreKey key) throws IOException {
        return openForWriting(dir, key, false);
    }

    /**
     * Opens {@code dir} to write snapshots, creating it if needed, and takes the writer's lock.
     * Leftover temporary files of a writer that crashed are removed.
     *
     * @param key encrypts new chunks, and decrypts what was written with it; {@code null}: none
     * @param acceptPlain see {@link #openForReading(Path, StoreKey, boolean)}
     * @throws StoreLockedException when another process writes to {@code dir}
     * @throws io.stasis.files.UnsafePathException if the directory is not this user's alone
     */
    public static FileSnapshotStore openForWriting(Path dir, StoreKey key, boolean acceptPlain) throws IOException {
        return openForWriting(new DirectoryBlobs(dir), key, acceptPlain);
    }

    /** Opens a store of any kind to write; see {@link #openForWriting(Path, StoreKey, boolean)}. */
    public static FileSnapshotStore openForWriting(BlobStore blobs, StoreKey key, boolean acceptPlain)
            throws IOException {
        blobs.prepareForWriting();
        blobs.lock();
        FileSnapshotStore store = new FileSnapshotStore(blobs, key, acceptPlain, true);
        try {
            blobs.removeLeftovers();
        } catch (IOException | RuntimeException e) {
            blobs.unlock();
            throw e;
        }
        return store;
    }

    /**
     * Lets go of the writer's lock and its file, so that a full-process image holds no file of the
     * store open; {@link #resumeWriting} takes them again.
     */
    @Override
    public synchronized void suspendWriting() throws IOException {
        if (locked) {
            blobs.unlock();
            locked = false;
        }
    }

    private void requireWriting() {
        if (!locked) {
            throw new IllegalStateException(writer ? "writing is suspended while a full-process image is taken"
                    : "store opened for reading only");
        }
    }

    /**
     * Takes the writer's lock again after {@link #suspendWriting}. Snapshots another process wrote
     * meanwhile count: the next sequence is read from the directory again.
     *
     * @throws StoreLockedException when another process writes to the directory now
     */
    @Override
    public synchronized void resumeWriting() throws IOException {
        if (writer && !locked) {
            blobs.lock();
            locked = true;
            nextSequence = -1;
            index = null;
        }
    }

    @Override
    public synchronized void releaseWriter() throws IOException {
        blobs.releaseWriter();
    }

    /** Its objects, for {@link MirrorCopy}, which copies committed snapshots as they are. */
    BlobStore blobs() {
        return blobs;
    }

    /** Where the store is, for messages: its directory or {@code s3://bucket/prefix}. */
    public String location() {
        return blobs.location();
    }

    /**
     * Refuses a key that cannot read the newest snapshot, before anything is written: checkpoints
     * under another key would soon retire every snapshot the right key could still restore.
     *
     * @throws WrongKeyException if the newest snapshot is encrypted with another key, or with one
     *     when none is given
     */
    public void checkKey() throws IOException {
        for (SnapshotRef ref : list()) {
            try {
                manifest(ref);
                return;
            } catch (WrongKeyException e) {
                throw e;
            } catch (CorruptSnapshotException e) {
                // a damaged manifest says nothing about the key; look at the one before it
            }
        }
    }

    @Override
    public synchronized long nextSequence() throws IOException {
        if (nextSequence < 0) {
            lastWritten = list().stream().mapToLong(SnapshotRef::sequence).max().orElse(-1);
            // Above the packs too: one left by a checkpoint interrupted before its manifest is never written over.
            long packs = StoreNames.matching(blobs, StoreNames.PACKS + "/pack-", StoreNames.PACK).stream()
                    .mapToLong(e -> StoreNames.packSequence(e.name())).max().orElse(-1);
            nextSequence = Math.max(Math.max(lastWritten, packs), 0) + 1;
        }
        return nextSequence;
    }

    @Override
    public synchronized SnapshotRef write(Snapshot snapshot) throws IOException {
        requireWriting();
        if (snapshot.sequence() > ManifestCodec.MAX_SEQUENCE) {
            throw new IOException("snapshot " + snapshot.sequence() + " is past the last sequence number a store can"
                    + " name (" + ManifestCodec.MAX_SEQUENCE + ", 16 digits), which a snapshot in "
                    + blobs.location() + " already claims: move it away to start a new store");
        }
        if (blobs.holdWriter()) {
            nextSequence = -1; // this writer took the store over: what the one before wrote counts
            index = null;
            long free = nextSequence();
            if (snapshot.sequence() < free) {
                // Numbered before the takeover, and the one before used that number: the same cut is
                // stored under the first number it left free, rather than failed and retried later.
                snapshot = new Snapshot(free, snapshot.time(), snapshot.reason(), snapshot.pauseNanos(),
                        snapshot.roots(), snapshot.classes());
            }
        }
        long start = System.nanoTime();
        WriteTrace trace = WriteTrace.start(snapshot.sequence());
        nextSequence();
        Map<String, Manifest.ChunkRef> known = index();
        String packName = StoreNames.pack(snapshot.sequence());
        List<Manifest.StoredRoot> roots = new ArrayList<>();
        long serialized = 0;
        int chunkCount = 0;
        PackWriter pack;
        try {
            try (ParentChunks parent = parentChunks();
                 BlobStore.Upload out = blobs.create(StoreNames.PACKS + "/" + packName);
                 PackWriter writing = new PackWriter(out, packName, codec, workers, compress, known, parent, trace)) {
                pack = writing;
                for (Root root : snapshot.roots()) {
                    Manifest.StoredRoot stored = pack.append(root);
                    roots.add(stored);
                    serialized += stored.bytes();
                    chunkCount += stored.chunks().size();
                }
                long stage = System.nanoTime();
                pack.finish();
                trace.packWrite(System.nanoTime() - stage);
                stage = System.nanoTime();
                if (!pack.added().isEmpty()) {
                    publishPack(out, snapshot.sequence(), packName);
                }
                trace.fsync(System.nanoTime() - stage);
            }
            Manifest base = base(snapshot.sequence());
            Manifest manifest = new Manifest(snapshot.sequence(), snapshot.time(), snapshot.reason(), lastWritten,
                    base == null ? -1 : base.sequence(), snapshot.pauseNanos(), System.nanoTime() - start,
                    agentVersion(), jvm(), codec.keyId(), snapshot.classes(), roots);
            String file = StoreNames.manifest(snapshot.sequence());
            byte[] json = ManifestCodec.write(manifest, base, codec);
            if (base != null && json.length > (long) chunkCount * ManifestCodec.FULL_BYTES_PER_CHUNK / 2) {
                // so much changed since the base that listing every chunk costs little more: a new base
                manifest = manifest.full();
                json = ManifestCodec.write(manifest, null, codec);
            }
            if (json.length > ManifestCodec.MAX_BYTES) {
                throw new IOException("snapshot " + snapshot.sequence() + " would need a manifest of " + json.length
                        + " bytes, more than a store reads (" + ManifestCodec.MAX_BYTES + "): it has " + roots.size()
                        + " roots; checkpoint fewer, larger objects");
            }
            blobs.checkWriter();
            long stage = System.nanoTime();
            publishManifest(file, json, snapshot.sequence());
            long publishNanos = System.nanoTime() - stage;
            trace.publish(publishNanos);
            trace.written(serialized, chunkCount, pack.added().size(), pack.bytes(), json.length);
            stats.written(pack.bytes() + json.length, publishNanos);
            manifests.published(manifest);
            known.putAll(pack.added());
            nextSequence = Math.max(nextSequence, snapshot.sequence() + 1);
            lastWritten = snapshot.sequence();
            return new SnapshotRef(String.valueOf(snapshot.sequence()), snapshot.sequence(),
                    manifest.storedBytes() + json.length);
        } catch (IOException | RuntimeException e) {
            trace.failed(e.toString());
            throw e;
        }
    }

    /**
     * The full snapshot the next manifest's chunk lists are stored against: the last one written's
     * base, or that snapshot itself when it is full; {@code null} (list every chunk) when there is
     * none, it has another key, or {@link #MAX_DELTAS} snapshots were stored against it already, so
     * that one damaged manifest can take no more than that many snapshots with it.
     */
    private Manifest base(long sequence) {
        if (lastWritten < 0) {
            return null;
        }
        try {
            Manifest last = manifest(new SnapshotRef(String.valueOf(lastWritten), lastWritten, 0));
            Manifest base = last.base() < 0 ? last : manifest(new SnapshotRef(String.valueOf(last.base()), last.base(), 0));
            boolean usable = base.base() < 0 && Objects.equals(base.keyId(), codec.keyId())
                    && sequence - base.sequence() <= MAX_DELTAS;
            return usable ? base : null;
        } catch (IOException | RuntimeException e) {
            return null; // not readable now: this snapshot lists every chunk, and stands alone
        }
    }

    /**
     * The chunks of the snapshot written last, which new chunks are stored as deltas against, if it
     * reads under this writer's key and the store reads small pieces cheaply ({@link BlobStore#smallReadsCheap}).
     */
    private ParentChunks parentChunks() {
        if (lastWritten < 0 || !blobs.smallReadsCheap()) {
            return ParentChunks.NONE;
        }
        try {
            Manifest last = manifest(new SnapshotRef(String.valueOf(lastWritten), lastWritten, 0));
            return Objects.equals(last.keyId(), codec.keyId()) ? new ParentChunks(blobs, last) : ParentChunks.NONE;
        } catch (IOException | RuntimeException e) {
            return ParentChunks.NONE; // every new chunk is stored whole
        }
    }

    /**
     * Publishes a checkpoint's pack; from then on its sequence is taken, whether or not its
     * manifest follows, and also when the upload failed: object storage may have stored an object
     * whose answer was lost on the way, and a name is never written twice, so the next checkpoint
     * takes the next number instead of meeting that pack forever. A pack already under its name is
     * such a pack, or another writer's: {@link #nextSequence} starts above every pack present,
     * leftovers of interrupted checkpoints included.
     */
    private void publishPack(BlobStore.Upload out, long sequence, String packName) throws IOException {
        boolean created;
        try {
            created = out.commit();
        } finally {
            nextSequence = Math.max(nextSequence, sequence + 1);
        }
        if (!created) {
            throw new StoreLockedException(StoreNames.PACKS + "/" + packName + " is in " + blobs.location() + " already: left by"
                    + " an upload of this writer whose answer was lost, or written by another writer (give each JVM"
                    + " its own store); the next checkpoint takes the next number");
        }
    }

    /** Publishes a manifest, the commit point of a checkpoint; one already there is never replaced. */
    private void publishManifest(String file, byte[] json, long sequence) throws IOException {
        try (BlobStore.Upload out = blobs.create(file)) {
            out.write(ByteBuffer.wrap(json));
            if (!out.commit()) {
                throw new StoreLockedException("snapshot " + sequence + " was published in " + blobs.location()
                        + " by another writer meanwhile; give each JVM its own store");
            }
        }
    }

    @Override
    public List<SnapshotRef> list() throws IOException {
        List<SnapshotRef> refs = new ArrayList<>();
        for (BlobStore.Entry file : StoreNames.matching(blobs, StoreNames.MANIFESTS + "/snapshot-", StoreNames.MANIFEST)) {
            long sequence = StoreNames.snapshotSequence(file.name());
            refs.add(new SnapshotRef(String.valueOf(sequence), sequence, file.size()));
        }
        for (BlobStore.Entry file : StoreNames.matching(blobs, "snapshot-", StoreNames.VERSION_1)) {
            long sequence = StoreNames.snapshotSequence(file.name());
            refs.add(new SnapshotRef(String.valueOf(sequence), sequence, file.size()));
        }
        refs.sort(Comparator.comparingLong(SnapshotRef::sequence).reversed());
        return refs;
    }

    /**
     * Files named like snapshots that this format never writes (a sequence number of other than 16
     * digits): not in {@link #list}, never read or restored, reported by {@code list} and {@link #verify}.
     */
    @Override
    public List<String> foreign() throws IOException {
        List<String> found = new ArrayList<>();
        for (BlobStore.Entry file : StoreNames.matching(blobs, StoreNames.MANIFESTS + "/snapshot-", StoreNames.ANY_MANIFEST)) {
            if (!StoreNames.MANIFEST.matcher(StoreNames.baseName(file.name())).matches()) {
                found.add(StoreNames.foreignReason(file.name()));
            }
        }
        for (BlobStore.Entry file : StoreNames.matching(blobs, "snapshot-", StoreNames.ANY_VERSION_1)) {
            if (!StoreNames.VERSION_1.matcher(StoreNames.baseName(file.name())).matches()) {
                found.add(StoreNames.foreignReason(file.name()));
            }
        }
        found.sort(null);
        return found;
    }

    @Override
    public Snapshot read(SnapshotRef ref) throws IOException {
        try {
            return read(ref, false, true);
        } catch (SnapshotRemovedException e) {
            throw e;
        } catch (CorruptSnapshotException e) {
            stats.verificationFailed(ref.sequence());
            throw e;
        }
    }

    /** What this store did in this JVM: its latest write, and the snapshots that did not verify. */
    public StoreStats stats() {
        return stats;
    }

    /** What the snapshots occupy in the store now: manifests, packs and format-1 files; -1 if it cannot be read. */
    public long totalBytes() {
        return blobs.totalBytes();
    }

    /**
     * Reads a snapshot and checks everything: its manifest or format-1 file, its key, every chunk
     * and its length. What a file declares is bounded before anything is allocated; whatever still
     * goes wrong while reading (an {@link OutOfMemoryError}, any {@link RuntimeException}) means the
     * snapshot is damaged, so that restore falls back to the one before it.
     *
     * @param fresh    read the manifest from disk again, as {@link #verify} must
     * @param keepData assemble the roots' data; if not, each chunk is checked once and the roots
     *                 come back empty ({@link #verify})
     */
    private Snapshot read(SnapshotRef ref, boolean fresh, boolean keepData) throws IOException {
        try {
            String v1 = StoreNames.version1(ref.sequence());
            if (blobs.exists(v1) && !manifests.exists(ref.sequence())) {
                codec.forKey(null, v1); // format 1 is plain: refused in an encrypted store
                return FormatV1.read(blobs.read(v1, MAX_VERSION_1_BYTES, v1), v1);
            }
            Manifest manifest = manifests.get(ref, fresh);
            ChunkCodec chunks = codec.forKey(manifest.keyId(), StoreNames.manifest(ref.sequence()));
            List<Root> roots = new ArrayList<>();
            Set<String> checked = new HashSet<>();
            try (ChunkReader reader = new ChunkReader(blobs, chunks, workers)) {
                for (Manifest.StoredRoot root : manifest.roots()) {
                    byte[] data = keepData ? new byte[(int) root.bytes()] : null;
                    reader.read(ref, root.chunks(), data, checked);
                    roots.add(new Root(root.kind(), root.owner(), root.key(), root.fields(),
                            data == null ? new byte[0] : data, root.sharesObjects()));
                }
            }
            // A manifest with a key id was checked with that key (its MAC, every chunk's name): written by a holder of it.
            return new Snapshot(manifest.sequence(), manifest.time(), manifest.reason(), manifest.pauseNanos(), roots,
                    manifest.classes(), manifest.keyId() != null);
        } catch (CorruptSnapshotException e) {
            throw e;
        } catch (OutOfMemoryError | RuntimeException e) {
            throw CorruptSnapshotException.unreadable(ref, e);
        } catch (IOException e) {
            if (e.getCause() instanceof OutOfMemoryError || e.getCause() instanceof RuntimeException) {
                throw CorruptSnapshotException.unreadable(ref, e.getCause());
            }
            throw e;
        }
    }

    /**
     * What a snapshot occupies in the store: its chunks (shared ones included) and its manifest,
     * or its file for format 1. {@link #list} does not parse manifests, so it gives file sizes only.
     */
    public long storedBytes(SnapshotRef ref) throws IOException {
        if (!manifests.exists(ref.sequence())) {
            return ref.bytes();
        }
        return manifests.get(ref).storedBytes() + ref.bytes();
    }

    /** The parsed, verified manifest of a snapshot of format 2 or 3, resolved against its base. */
    Manifest manifest(SnapshotRef ref) throws IOException {
        return manifests.get(ref);
    }

    /** Deletes one snapshot's manifest, then collects the packs no remaining snapshot references. */
    @Override
    public synchronized void discard(SnapshotRef ref) throws IOException {
        requireWriting();
        blobs.holdWriter();
        List<SnapshotRef> others = retention.discard(ref);
        if (lastWritten == ref.sequence()) {
            // the next base is found from it
            lastWritten = others.stream().mapToLong(SnapshotRef::sequence).max().orElse(-1);
        }
        gc();
    }

    /**
     * Deletes all but the newest {@code keep} snapshots, never the newest one whose manifest
     * verifies, and keeps the base of each one kept ({@link Retention}); then collects packs no
     * remaining snapshot references.
     */
    @Override
    public synchronized void retain(int keep) throws IOException {
        blobs.holdWriter();
        retention.retain(keep);
        gc();
    }

    /**
     * Removes packs that no manifest references, and temporary files. Runs only under the writer's
     * lock, so no checkpoint is writing a pack meanwhile. If a manifest cannot be read, no pack is
     * removed: it might reference any.
     *
     * @return the files removed, relative to the store's directory
     */
    public synchronized List<String> gc() throws IOException {
        requireWriting();
        blobs.holdWriter();
        List<String> removed = retention.gc();
        index = null;
        return removed;
    }

    /**
     * What {@link #verify} found.
     *
     * @param damaged     what is wrong: verification fails
     * @param keyless     snapshots that cannot be checked without their key (or with the key given)
     * @param leftovers   files no snapshot needs; {@code gc} removes them
     * @param writerLive  an application holds the writer's lock: a leftover pack may be one it is writing
     */
    public record Verification(List<String> damaged, List<String> keyless, List<String> leftovers, int snapshots,
                               int chunks, boolean writerLive) {
    }

    /**
     * Reads and checks every snapshot and every chunk, exactly as restore does, so that a snapshot
     * that {@code list} or restore finds damaged never passes ({@link StoreVerifier}).
     */
    public Verification verify() throws IOException {
        return verify((checked, of) -> { });
    }

    /** As {@link #verify()}, telling {@code progress} after each snapshot how many of how many are checked. */
    public Verification verify(java.util.function.BiConsumer<Integer, Integer> progress) throws IOException {
        return new StoreVerifier(this).verify(progress);
    }

    /**
     * For {@link #verify}: reads {@code ref} afresh as restore does, without keeping its data;
     * what is wrong goes to {@code damaged}.
     *
     * @return its manifest, if it parses ({@code null} for format 1)
     */
    Manifest check(SnapshotRef ref, List<String> damaged, List<String> keyless) throws IOException {
        manifests.forget(ref.sequence());
        try {
            read(ref, true, false);
        } catch (SnapshotRemovedException e) {
            return null; // retired by a live writer's retention since it was listed: not damage
        } catch (WrongKeyException e) {
            keyless.add(e.getMessage());
            return null;
        } catch (CorruptSnapshotException e) {
            damaged.add(e.getMessage());
        }
        return manifests.cached(ref.sequence());
    }

    /** Whether a process holds the writer's exclusion on this store now. */
    boolean writerLive() {
        return blobs.writerLive();
    }

    /** Packs that none of {@code referenced} names, and temporary files: what {@link #gc} removes. */
    List<String> leftovers(Set<String> referenced) throws IOException {
        return retention.leftovers(referenced);
    }

    @Override
    public void close() throws IOException {
        workers.close();
        suspendWriting();
        blobs.close();
    }

    /** Whether {@code ref} reads now, its manifest read afresh; one that does not counts as damaged. */
    boolean readable(SnapshotRef ref) {
        try {
            if (manifests.exists(ref.sequence())) {
                manifests.get(ref, true);
            } else {
                read(ref);
            }
            return true;
        } catch (SnapshotRemovedException e) {
            return false;
        } catch (CorruptSnapshotException e) {
            stats.verificationFailed(ref.sequence());
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    /** The chunks stored under the current key, from every manifest that reads (built once, then kept up to date). */
    private Map<String, Manifest.ChunkRef> index() throws IOException {
        if (index == null) {
            Map<String, Manifest.ChunkRef> chunks = new HashMap<>();
            for (SnapshotRef ref : list()) {
                if (manifests.exists(ref.sequence())) {
                    try {
                        Manifest manifest = manifests.get(ref);
                        if (Objects.equals(manifest.keyId(), codec.keyId())) {
                            manifest.roots().forEach(r -> r.chunks().forEach(c -> chunks.putIfAbsent(c.name(), c)));
                        }
                    } catch (CorruptSnapshotException e) {
                        // its chunks are not reused: the next snapshot writes them again
                    }
                }
            }
            index = chunks;
        }
        return index;
    }

    private static String agentVersion() {
        String version = FileSnapshotStore.class.getPackage().getImplementationVersion();
        return version != null ? version : "development";
    }

    private static String jvm() {
        return System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
                + " (" + System.getProperty("java.vm.vendor") + ")";
    }
}
