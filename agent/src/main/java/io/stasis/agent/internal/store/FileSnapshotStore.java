package io.stasis.agent.internal.store;

import io.stasis.agent.internal.metrics.StoreStats;
import io.stasis.agent.internal.events.WriteTrace;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Snapshots in one directory as content-addressed chunks in pack files plus one small JSON
 * manifest per snapshot (format 2, {@code docs/format.md}):
 *
 * <pre>
 * dir/.lock                                   the writer's lock
 * dir/packs/pack-NNNNNNNNNNNNNNNN.pack        the chunks a snapshot added, appended
 * dir/manifests/snapshot-NNNNNNNNNNNNNNNN.json what a snapshot holds: roots and their chunks
 * dir/snapshot-NNNNNNNNNNNNNNNN.stasis        snapshots of format 1, still read
 * </pre>
 *
 * <p>A checkpoint chunks each root's data by content ({@link Chunker}); chunks that an earlier
 * snapshot already stored are referenced, not written again. The new ones go into one pack, which
 * is published durably before the manifest that names them; the manifest is published last, so a
 * manifest on disk always denotes a complete snapshot and a crash leaves at most an unreferenced
 * pack, which {@link #gc} removes. Every chunk is verified when read. One writer at a time holds
 * {@code .lock}; retention and collection run under it, in the writer's process.
 */
public final class FileSnapshotStore implements SnapshotStore {

    static final String MANIFESTS = StoreDirectory.MANIFESTS;
    static final String PACKS = StoreDirectory.PACKS;
    private static final Pattern MANIFEST = Pattern.compile("snapshot-(\\d{16})\\.json");
    private static final Pattern VERSION_1 = Pattern.compile("snapshot-(\\d{16})\\.stasis");
    /** Names that look like snapshots: those the patterns above do not match are foreign, never read. */
    private static final Pattern PACK = ManifestCodec.PACK_NAME;
    private static final Pattern ANY_MANIFEST = Pattern.compile("snapshot-.*\\.json");
    private static final Pattern ANY_VERSION_1 = Pattern.compile("snapshot-.*\\.stasis");
    /** Files of format 1 are one Java array at most. */
    private static final long MAX_VERSION_1_BYTES = Integer.MAX_VALUE - 8;

    private final Path dir;
    private final ChunkCodec codec;
    private FileChannel lockChannel;
    private volatile FileLock lock;
    /** Whether this store was opened to write; {@link #lock} is null while writing is suspended. */
    private final boolean writer;
    /** Manifests are immutable once published: each is parsed and verified once. */
    private final Map<Path, Manifest> manifests = new ConcurrentHashMap<>();
    /** Chunks stored under the current key, by name, from the manifests present. */
    private Map<String, Manifest.ChunkRef> index;
    private long nextSequence = -1;
    private long lastWritten = -1;
    private final ChunkWorkers workers = new ChunkWorkers();
    private final StoreStats stats = new StoreStats();

    private FileSnapshotStore(Path dir, StoreKey key, boolean acceptPlain, FileChannel lockChannel, FileLock lock) {
        this.dir = dir;
        this.codec = new ChunkCodec(key, acceptPlain);
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.writer = lock != null;
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
        StoreDirectory.prepareForReading(dir);
        return new FileSnapshotStore(dir, key, acceptPlain, null, null);
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
        StoreDirectory.prepareForWriting(dir);
        FileChannel channel = StoreDirectory.openLock(dir);
        FileSnapshotStore store = new FileSnapshotStore(dir, key, acceptPlain, channel, lock(dir, channel));
        store.removeTemporaryFiles();
        return store;
    }

    private static FileLock lock(Path dir, FileChannel channel) throws IOException {
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            channel.close();
            throw new StoreLockedException("another process is writing snapshots to " + dir.toAbsolutePath()
                    + " (it holds " + dir.resolve(".lock") + "); give each JVM its own dir");
        }
        return lock;
    }

    /**
     * Lets go of the writer's lock and its file, so that a full-process image holds no file of the
     * store open; {@link #resumeWriting} takes them again.
     */
    @Override
    public synchronized void suspendWriting() throws IOException {
        if (lock != null) {
            lock.release();
            lockChannel.close();
            lock = null;
            lockChannel = null;
        }
    }

    private void requireWriting() {
        if (lock == null) {
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
        if (writer && lock == null) {
            FileChannel channel = StoreDirectory.openLock(dir);
            lock = lock(dir, channel);
            lockChannel = channel;
            nextSequence = -1;
            index = null;
        }
    }

    public Path dir() {
        return dir;
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
            nextSequence = Math.max(lastWritten, 0) + 1;
        }
        return nextSequence;
    }

    @Override
    public synchronized SnapshotRef write(Snapshot snapshot) throws IOException {
        requireWriting();
        if (snapshot.sequence() > ManifestCodec.MAX_SEQUENCE) {
            throw new IOException("snapshot " + snapshot.sequence() + " is past the last sequence number a store can"
                    + " name (" + ManifestCodec.MAX_SEQUENCE + ", 16 digits), which a snapshot in "
                    + dir.toAbsolutePath() + " already claims: move that directory away to start a new store");
        }
        long start = System.nanoTime();
        WriteTrace trace = WriteTrace.start(snapshot.sequence());
        nextSequence();
        Map<String, Manifest.ChunkRef> known = index();
        Map<String, Manifest.ChunkRef> added = new HashMap<>();
        String packName = String.format("pack-%016d.pack", snapshot.sequence());
        Path pack = dir.resolve(PACKS).resolve(packName);
        Path temp = Durable.createTemporary(pack);
        List<Manifest.StoredRoot> roots = new ArrayList<>();
        long serialized = 0;
        int chunkCount = 0;
        long packBytes = 0;
        try {
            try (FileChannel out = Durable.openTemporary(temp)) {
                long offset = 0;
                for (Root root : snapshot.roots()) {
                    List<Manifest.ChunkRef> chunks = new ArrayList<>();
                    long stage = System.nanoTime();
                    List<Integer> ends = Chunker.boundaries(root.data());
                    trace.chunking(System.nanoTime() - stage);
                    for (int batch = 0; batch < ends.size(); batch += ChunkWorkers.BATCH) {
                        int batchEnd = Math.min(ends.size(), batch + ChunkWorkers.BATCH);
                        List<Integer> batchEnds = ends.subList(batch, batchEnd);
                        int batchStart = batch == 0 ? 0 : ends.get(batch - 1);
                        stage = System.nanoTime();
                        List<Encoded> encoded = encode(root.data(), batchStart, batchEnds, known);
                        trace.encoding(System.nanoTime() - stage);
                        stage = System.nanoTime();
                        for (Encoded piece : encoded) {
                            Manifest.ChunkRef chunk = known.containsKey(piece.name()) ? known.get(piece.name())
                                    : added.get(piece.name());
                            if (chunk == null) {
                                ByteBuffer buffer = ByteBuffer.wrap(piece.stored());
                                while (buffer.hasRemaining()) {
                                    out.write(buffer, offset + buffer.position());
                                }
                                chunk = new Manifest.ChunkRef(piece.name(), packName, offset, piece.stored().length,
                                        piece.bytes());
                                offset += piece.stored().length;
                                added.put(piece.name(), chunk);
                            }
                            chunks.add(chunk);
                        }
                        trace.packWrite(System.nanoTime() - stage);
                    }
                    roots.add(new Manifest.StoredRoot(root.kind(), root.owner(), root.key(), root.fields(),
                            root.data().length, chunks));
                    serialized += root.data().length;
                    chunkCount += chunks.size();
                }
                packBytes = offset;
            }
            long stage = System.nanoTime();
            if (added.isEmpty()) {
                Files.delete(temp);
            } else {
                Durable.publish(temp, pack);
            }
            trace.fsync(System.nanoTime() - stage);
            Manifest manifest = new Manifest(snapshot.sequence(), snapshot.time(), snapshot.reason(), lastWritten,
                    snapshot.pauseNanos(), System.nanoTime() - start, agentVersion(), jvm(), codec.keyId(),
                    snapshot.classes(), roots);
            Path file = manifestFile(snapshot.sequence());
            byte[] json = ManifestCodec.write(manifest, codec);
            if (json.length > ManifestCodec.MAX_BYTES) {
                throw new IOException("snapshot " + snapshot.sequence() + " would need a manifest of " + json.length
                        + " bytes, more than a store reads (" + ManifestCodec.MAX_BYTES + "): it has " + roots.size()
                        + " roots; checkpoint fewer, larger objects");
            }
            stage = System.nanoTime();
            Durable.write(file, json);
            long publishNanos = System.nanoTime() - stage;
            trace.publish(publishNanos);
            trace.written(serialized, chunkCount, added.size(), packBytes, json.length);
            stats.written(added.values().stream().mapToLong(Manifest.ChunkRef::length).sum() + json.length, publishNanos);
            manifests.put(file, manifest);
            known.putAll(added);
            nextSequence = Math.max(nextSequence, snapshot.sequence() + 1);
            lastWritten = snapshot.sequence();
            return new SnapshotRef(String.valueOf(snapshot.sequence()), snapshot.sequence(),
                    manifest.storedBytes() + json.length);
        } catch (IOException | RuntimeException e) {
            trace.failed(e.toString());
            Files.deleteIfExists(temp);
            throw e;
        }
    }

    /** A chunk's name, its length, and its stored form ({@code null} when the store holds it already). */
    private record Encoded(String name, int bytes, byte[] stored) {
    }

    private List<Encoded> encode(byte[] data, int start, List<Integer> ends, Map<String, Manifest.ChunkRef> known)
            throws IOException {
        int[] from = new int[ends.size()];
        for (int i = 0; i < ends.size(); i++) {
            from[i] = i == 0 ? start : ends.get(i - 1);
        }
        return workers.inParallel(ends.size(), i -> {
            byte[] content = Arrays.copyOfRange(data, from[i], ends.get(i));
            String name = codec.name(content);
            return new Encoded(name, content.length, known.containsKey(name) ? null : codec.encode(name, content));
        });
    }

    @Override
    public List<SnapshotRef> list() throws IOException {
        List<SnapshotRef> refs = new ArrayList<>();
        for (Path file : files(dir.resolve(MANIFESTS), MANIFEST)) {
            long sequence = sequenceOf(file);
            long bytes;
            try {
                bytes = Files.size(file);
            } catch (NoSuchFileException deletedMeanwhile) {
                continue;
            }
            refs.add(new SnapshotRef(String.valueOf(sequence), sequence, bytes));
        }
        for (Path file : files(dir, VERSION_1)) {
            long sequence = sequenceOf(file);
            try {
                refs.add(new SnapshotRef(String.valueOf(sequence), sequence, Files.size(file)));
            } catch (NoSuchFileException deletedMeanwhile) {
                // removed by retention between listing and stat
            }
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
        for (Path file : files(dir.resolve(MANIFESTS), ANY_MANIFEST)) {
            if (!MANIFEST.matcher(file.getFileName().toString()).matches()) {
                found.add(foreignReason(relative(file)));
            }
        }
        for (Path file : files(dir, ANY_VERSION_1)) {
            if (!VERSION_1.matcher(file.getFileName().toString()).matches()) {
                found.add(foreignReason(relative(file)));
            }
        }
        found.sort(null);
        return found;
    }

    private static String foreignReason(String file) {
        return file + " is named like a snapshot but not with the 16-digit sequence number Stasis writes: never"
                + " restored (not written by Stasis: remove it)";
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

    /** What the snapshots occupy on disk now: manifests, packs and format-1 files; -1 if it cannot be read. */
    public long totalBytes() {
        return StoreDirectory.bytes(dir);
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
            Path v1 = dir.resolve(String.format("snapshot-%016d.stasis", ref.sequence()));
            if (Files.exists(v1) && !Files.exists(manifestFile(ref.sequence()))) {
                codec.forKey(null, relative(v1)); // format 1 is plain: refused in an encrypted store
                return FormatV1.read(StoreDirectory.readBounded(v1, MAX_VERSION_1_BYTES, relative(v1)), relative(v1));
            }
            Manifest manifest = manifest(ref, fresh);
            ChunkCodec chunks = codec.forKey(manifest.keyId(), relative(manifestFile(ref.sequence())));
            List<Root> roots = new ArrayList<>();
            Set<String> checked = new HashSet<>();
            try (ChunkReader reader = new ChunkReader(dir.resolve(PACKS), chunks, workers)) {
                for (Manifest.StoredRoot root : manifest.roots()) {
                    byte[] data = keepData ? new byte[(int) root.bytes()] : null;
                    reader.read(ref, root.chunks(), data, checked);
                    roots.add(new Root(root.kind(), root.owner(), root.key(), root.fields(),
                            data != null ? data : new byte[0]));
                }
            }
            return new Snapshot(manifest.sequence(), manifest.time(), manifest.reason(), manifest.pauseNanos(), roots,
                    manifest.classes());
        } catch (CorruptSnapshotException e) {
            throw e;
        } catch (OutOfMemoryError | RuntimeException e) {
            throw unreadable(ref, e);
        } catch (IOException e) {
            if (e.getCause() instanceof OutOfMemoryError || e.getCause() instanceof RuntimeException) {
                throw unreadable(ref, e.getCause());
            }
            throw e;
        }
    }

    private static CorruptSnapshotException unreadable(SnapshotRef ref, Throwable cause) {
        CorruptSnapshotException damaged = new CorruptSnapshotException("snapshot " + ref.id()
                + " could not be read: " + cause);
        damaged.initCause(cause);
        return damaged;
    }

    /**
     * What a snapshot occupies in the store: its chunks (shared ones included) and its manifest,
     * or its file for format 1. {@link #list} does not parse manifests, so it gives file sizes only.
     */
    public long storedBytes(SnapshotRef ref) throws IOException {
        Path file = manifestFile(ref.sequence());
        if (!Files.exists(file)) {
            return ref.bytes();
        }
        return manifest(ref).storedBytes() + Files.size(file);
    }

    /** The parsed, verified manifest of a snapshot of format 2. */
    Manifest manifest(SnapshotRef ref) throws IOException {
        return manifest(ref, false);
    }

    /** @param fresh read it from disk again, as {@link #retain} and {@link #verify} must */
    private Manifest manifest(SnapshotRef ref, boolean fresh) throws IOException {
        Path file = manifestFile(ref.sequence());
        Manifest manifest = fresh ? null : manifests.get(file);
        if (manifest != null && !Files.exists(file)) {
            manifests.remove(file); // retired by another process since it was cached: it no longer exists
            manifest = null;
        }
        if (manifest == null) {
            try {
                manifest = ManifestCodec.read(StoreDirectory.readBounded(file, ManifestCodec.MAX_BYTES, relative(file)),
                        relative(file), codec);
            } catch (NoSuchFileException e) {
                throw new SnapshotRemovedException("snapshot " + ref.id() + " has no manifest (removed meanwhile?)");
            } catch (OutOfMemoryError | RuntimeException e) {
                throw unreadable(ref, e);
            }
            if (manifest.sequence() != ref.sequence()) {
                throw new CorruptSnapshotException(relative(file) + " holds snapshot " + manifest.sequence()
                        + ", not " + ref.sequence() + " (moved or swapped?)");
            }
            manifests.put(file, manifest);
        }
        return manifest;
    }

    /**
     * Deletes all but the newest {@code keep} snapshots, never the newest one whose manifest
     * verifies, then collects packs no remaining snapshot references.
     */
    @Override
    public synchronized void retain(int keep) throws IOException {
        List<SnapshotRef> refs = list();
        Set<Long> kept = new HashSet<>();
        refs.stream().limit(keep).forEach(r -> kept.add(r.sequence()));
        for (SnapshotRef ref : refs) {
            if (readable(ref)) {
                kept.add(ref.sequence());
                break;
            }
        }
        // Oldest first: a kill part-way leaves the survivors a contiguous run, which verify expects.
        for (int i = refs.size() - 1; i >= 0; i--) {
            SnapshotRef ref = refs.get(i);
            if (!kept.contains(ref.sequence())) {
                Path file = manifestFile(ref.sequence());
                manifests.remove(file);
                Files.deleteIfExists(file);
                Files.deleteIfExists(dir.resolve(String.format("snapshot-%016d.stasis", ref.sequence())));
            }
        }
        Durable.syncDirectory(dir);
        if (Files.isDirectory(dir.resolve(MANIFESTS))) {
            Durable.syncDirectory(dir.resolve(MANIFESTS));
        }
        gc();
    }

    /**
     * Removes packs that no manifest references, and temporary files. Runs only under the writer's
     * lock, so no checkpoint is writing a pack meanwhile. If a manifest cannot be read, nothing is
     * removed: it might reference any pack.
     *
     * @return the files removed, relative to the store's directory
     */
    public synchronized List<String> gc() throws IOException {
        requireWriting();
        List<String> removed = new ArrayList<>(removeTemporaryFiles());
        Set<String> referenced = new HashSet<>();
        for (SnapshotRef ref : list()) {
            if (Files.exists(manifestFile(ref.sequence()))) {
                try {
                    manifest(ref).roots().forEach(r -> r.chunks().forEach(c -> referenced.add(c.pack())));
                } catch (CorruptSnapshotException e) {
                    return removed;
                }
            }
        }
        for (Path pack : files(dir.resolve(PACKS), PACK)) {
            if (!referenced.contains(pack.getFileName().toString())) {
                Files.deleteIfExists(pack);
                removed.add(relative(pack));
            }
        }
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
        Path file = manifestFile(ref.sequence());
        manifests.remove(file);
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
        return manifests.get(file);
    }

    /**
     * Whether a process holds the writer's lock on this store now, by {@code /proc/locks}: taking
     * even a shared lock here to find out would, on closing, drop this JVM's own lock if it writes.
     */
    boolean writerLive() {
        try {
            Object inode = Files.getAttribute(dir.resolve(StoreDirectory.LOCK), "unix:ino", LinkOption.NOFOLLOW_LINKS);
            for (String line : Files.readAllLines(Path.of("/proc/locks"))) {
                String[] fields = line.trim().split("\\s+");
                // 1: POSIX  ADVISORY  WRITE 4242 08:01:1234567 0 EOF
                if (fields.length > 5 && fields[3].equals("WRITE") && fields[5].endsWith(":" + inode)) {
                    return true;
                }
            }
        } catch (IOException | RuntimeException e) {
            // no lock file (nobody wrote here), or no /proc: nothing says a writer is live
        }
        return false;
    }

    /** Packs that none of {@code referenced} names, and temporary files: what {@link #gc} removes. */
    List<String> leftovers(Set<String> referenced) throws IOException {
        List<String> leftovers = new ArrayList<>();
        for (Path pack : files(dir.resolve(PACKS), PACK)) {
            if (!referenced.contains(pack.getFileName().toString())) {
                leftovers.add(relative(pack));
            }
        }
        for (Path temp : temporaryFiles()) {
            leftovers.add(relative(temp));
        }
        return leftovers;
    }

    @Override
    public void close() throws IOException {
        workers.close();
        suspendWriting();
    }

    private boolean readable(SnapshotRef ref) {
        try {
            if (Files.exists(manifestFile(ref.sequence()))) {
                manifest(ref, true);
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
                if (Files.exists(manifestFile(ref.sequence()))) {
                    try {
                        Manifest manifest = manifest(ref);
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

    Path manifestFile(long sequence) {
        return dir.resolve(MANIFESTS).resolve(String.format("snapshot-%016d.json", sequence));
    }

    String relative(Path file) {
        return dir.relativize(file).toString();
    }

    private static long sequenceOf(Path file) {
        Matcher m = MANIFEST.matcher(file.getFileName().toString());
        if (!m.matches()) {
            m = VERSION_1.matcher(file.getFileName().toString());
            m.matches();
        }
        return Long.parseLong(m.group(1));
    }

    private static List<Path> files(Path directory, Pattern name) throws IOException {
        List<Path> found = new ArrayList<>();
        if (!Files.isDirectory(directory)) {
            return found;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
            for (Path entry : entries) {
                if (name.matcher(entry.getFileName().toString()).matches()) {
                    found.add(entry);
                }
            }
        }
        return found;
    }

    private List<Path> temporaryFiles() throws IOException {
        Pattern temp = Pattern.compile(Pattern.quote(Durable.TEMP_PREFIX) + ".*" + Pattern.quote(Durable.TEMP_SUFFIX));
        List<Path> found = new ArrayList<>();
        for (Path directory : List.of(dir, dir.resolve(MANIFESTS), dir.resolve(PACKS))) {
            found.addAll(files(directory, temp));
        }
        return found;
    }

    private List<String> removeTemporaryFiles() throws IOException {
        List<String> removed = new ArrayList<>();
        for (Path temp : temporaryFiles()) {
            Files.deleteIfExists(temp);
            removed.add(relative(temp));
        }
        return removed;
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
