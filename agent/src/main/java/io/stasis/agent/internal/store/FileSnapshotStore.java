package io.stasis.agent.internal.store;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
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

    static final String MANIFESTS = "manifests";
    static final String PACKS = "packs";
    private static final Pattern MANIFEST = Pattern.compile("snapshot-(\\d{16})\\.json");
    private static final Pattern VERSION_1 = Pattern.compile("snapshot-(\\d{16})\\.stasis");

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
    private ExecutorService workers;

    private FileSnapshotStore(Path dir, StoreKey key, FileChannel lockChannel, FileLock lock) {
        this.dir = dir;
        this.codec = new ChunkCodec(key);
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.writer = lock != null;
    }

    /** Opens {@code dir} to read snapshots only. */
    public static FileSnapshotStore openForReading(Path dir) {
        return openForReading(dir, null);
    }

    /** Opens {@code dir} to read snapshots only, decrypting with {@code key} ({@code null}: none). */
    public static FileSnapshotStore openForReading(Path dir, StoreKey key) {
        return new FileSnapshotStore(dir, key, null, null);
    }

    public static FileSnapshotStore openForWriting(Path dir) throws IOException {
        return openForWriting(dir, null);
    }

    /**
     * Opens {@code dir} to write snapshots, creating it if needed, and takes the writer's lock.
     * Leftover temporary files of a writer that crashed are removed.
     *
     * @param key encrypts new chunks, and decrypts what was written with it; {@code null}: none
     * @throws StoreLockedException when another process writes to {@code dir}
     */
    public static FileSnapshotStore openForWriting(Path dir, StoreKey key) throws IOException {
        Files.createDirectories(dir.resolve(MANIFESTS));
        Files.createDirectories(dir.resolve(PACKS));
        FileChannel channel = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileSnapshotStore store = new FileSnapshotStore(dir, key, channel, lock(dir, channel));
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
            FileChannel channel = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
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
        long start = System.nanoTime();
        nextSequence();
        Map<String, Manifest.ChunkRef> known = index();
        Map<String, Manifest.ChunkRef> added = new HashMap<>();
        String packName = String.format("pack-%016d.pack", snapshot.sequence());
        Path pack = dir.resolve(PACKS).resolve(packName);
        Path temp = Durable.temporary(pack);
        List<Manifest.StoredRoot> roots = new ArrayList<>();
        try {
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE)) {
                long offset = 0;
                for (Root root : snapshot.roots()) {
                    List<Manifest.ChunkRef> chunks = new ArrayList<>();
                    List<Integer> ends = Chunker.boundaries(root.data());
                    for (int batch = 0; batch < ends.size(); batch += BATCH) {
                        List<Integer> batchEnds = ends.subList(batch, Math.min(ends.size(), batch + BATCH));
                        int batchStart = batch == 0 ? 0 : ends.get(batch - 1);
                        for (Encoded piece : encode(root.data(), batchStart, batchEnds, known)) {
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
                    }
                    roots.add(new Manifest.StoredRoot(root.kind(), root.owner(), root.key(), root.fields(),
                            root.data().length, chunks));
                }
            }
            if (added.isEmpty()) {
                Files.delete(temp);
            } else {
                Durable.publish(temp, pack);
            }
            Manifest manifest = new Manifest(snapshot.sequence(), snapshot.time(), snapshot.reason(), lastWritten,
                    snapshot.pauseNanos(), System.nanoTime() - start, agentVersion(), jvm(), codec.keyId(),
                    snapshot.classes(), roots);
            Path file = manifestFile(snapshot.sequence());
            byte[] json = ManifestCodec.write(manifest, codec);
            Durable.write(file, json);
            manifests.put(file, manifest);
            known.putAll(added);
            nextSequence = Math.max(nextSequence, snapshot.sequence() + 1);
            lastWritten = snapshot.sequence();
            return new SnapshotRef(String.valueOf(snapshot.sequence()), snapshot.sequence(),
                    manifest.storedBytes() + json.length);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
    }

    /** Chunks hashed and compressed (or read back and checked) together, on up to four cores, in order. */
    private static final int BATCH = 256;
    private static final int WORKERS = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));

    /** A chunk's name, its length, and its stored form ({@code null} when the store holds it already). */
    private record Encoded(String name, int bytes, byte[] stored) {
    }

    private List<Encoded> encode(byte[] data, int start, List<Integer> ends, Map<String, Manifest.ChunkRef> known)
            throws IOException {
        int[] from = new int[ends.size()];
        for (int i = 0; i < ends.size(); i++) {
            from[i] = i == 0 ? start : ends.get(i - 1);
        }
        return inParallel(ends.size(), i -> {
            byte[] content = Arrays.copyOfRange(data, from[i], ends.get(i));
            String name = codec.name(content);
            return new Encoded(name, content.length, known.containsKey(name) ? null : codec.encode(name, content));
        });
    }

    /** A function that may find a chunk damaged. */
    @FunctionalInterface
    private interface ChunkWork<T> {
        T apply(int index) throws CorruptSnapshotException;
    }

    /** {@code work} for indexes 0 to {@code count - 1}, split across the workers; results in order. */
    private <T> List<T> inParallel(int count, ChunkWork<T> work) throws IOException {
        List<Callable<List<T>>> tasks = new ArrayList<>();
        int per = Math.max(1, (count + WORKERS - 1) / WORKERS);
        for (int t = 0; t < count; t += per) {
            int first = t;
            int last = Math.min(count, t + per);
            tasks.add(() -> {
                List<T> part = new ArrayList<>(last - first);
                for (int i = first; i < last; i++) {
                    part.add(work.apply(i));
                }
                return part;
            });
        }
        List<T> results = new ArrayList<>(count);
        try {
            if (tasks.size() == 1) {
                return tasks.get(0).call();
            }
            for (Future<List<T>> part : workers().invokeAll(tasks)) {
                results.addAll(part.get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while encoding or decoding chunks");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException("could not encode or decode chunks: " + e.getCause(), e.getCause());
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e);
        }
        return results;
    }

    /** Daemon threads, made when first needed, gone with the store. */
    private synchronized ExecutorService workers() {
        if (workers == null) {
            AtomicInteger count = new AtomicInteger();
            workers = Executors.newFixedThreadPool(WORKERS, task -> {
                Thread thread = new Thread(task, "stasis-store-" + count.incrementAndGet());
                thread.setDaemon(true);
                return thread;
            });
        }
        return workers;
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

    @Override
    public Snapshot read(SnapshotRef ref) throws IOException {
        Path v1 = dir.resolve(String.format("snapshot-%016d.stasis", ref.sequence()));
        if (Files.exists(v1) && !Files.exists(manifestFile(ref.sequence()))) {
            return FormatV1.read(Files.readAllBytes(v1), v1.getFileName().toString());
        }
        Manifest manifest = manifest(ref);
        ChunkCodec chunks = codec.forKey(manifest.keyId(), manifestFile(ref.sequence()).toString());
        List<Root> roots = new ArrayList<>();
        try (Packs packs = new Packs()) {
            for (Manifest.StoredRoot root : manifest.roots()) {
                long declared = root.chunks().stream().mapToLong(Manifest.ChunkRef::bytes).sum();
                if (declared != root.bytes() || declared > Integer.MAX_VALUE - 8) {
                    throw new CorruptSnapshotException("snapshot " + ref.id() + ": root " + root.owner() + " has "
                            + declared + " bytes in its chunks, its manifest says " + root.bytes());
                }
                byte[] data = new byte[(int) declared];
                int at = 0;
                for (int batch = 0; batch < root.chunks().size(); batch += BATCH) {
                    List<Manifest.ChunkRef> refs = root.chunks().subList(batch, Math.min(root.chunks().size(), batch + BATCH));
                    List<byte[]> stored = new ArrayList<>(refs.size());
                    for (Manifest.ChunkRef chunk : refs) {
                        stored.add(packs.read(chunk));
                    }
                    for (byte[] content : inParallel(refs.size(), i -> decodeExactly(chunks, refs.get(i), stored.get(i)))) {
                        System.arraycopy(content, 0, data, at, content.length);
                        at += content.length;
                    }
                }
                roots.add(new Root(root.kind(), root.owner(), root.key(), root.fields(), data));
            }
        }
        return new Snapshot(manifest.sequence(), manifest.time(), manifest.reason(), manifest.pauseNanos(), roots,
                manifest.classes());
    }

    private static byte[] decodeExactly(ChunkCodec codec, Manifest.ChunkRef chunk, byte[] stored)
            throws CorruptSnapshotException {
        byte[] content = codec.decode(chunk.name(), stored);
        if (content.length != chunk.bytes()) {
            throw new CorruptSnapshotException("chunk " + chunk.name() + " has " + content.length
                    + " bytes, its manifest says " + chunk.bytes());
        }
        return content;
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
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(file);
            } catch (NoSuchFileException e) {
                throw new CorruptSnapshotException("snapshot " + ref.id() + " has no manifest (removed meanwhile?)");
            }
            manifest = ManifestCodec.read(bytes, relative(file), codec);
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
        for (Path pack : files(dir.resolve(PACKS), Pattern.compile("pack-\\d{16}\\.pack"))) {
            if (!referenced.contains(pack.getFileName().toString())) {
                Files.deleteIfExists(pack);
                removed.add(relative(pack));
            }
        }
        index = null;
        return removed;
    }

    /** What {@link #verify} found. */
    public record Verification(List<String> damaged, List<String> leftovers, int snapshots, int chunks) {
    }

    /**
     * Reads and checks every snapshot and every chunk. Damaged files are named with what is wrong;
     * leftovers (temporary files, packs no manifest references) are listed apart: {@link #gc}
     * removes them, and they harm nothing.
     */
    public Verification verify() throws IOException {
        List<String> damaged = new ArrayList<>();
        Set<String> referenced = new HashSet<>();
        int snapshots = 0;
        int chunkCount = 0;
        List<SnapshotRef> refs = list();
        Set<Long> present = new HashSet<>();
        refs.forEach(r -> present.add(r.sequence()));
        long oldest = refs.isEmpty() ? 0 : refs.get(refs.size() - 1).sequence();
        try (Packs packs = new Packs()) {
            for (SnapshotRef ref : refs) {
                snapshots++;
                Path file = manifestFile(ref.sequence());
                if (!Files.exists(file)) {
                    try {
                        read(ref);
                    } catch (CorruptSnapshotException e) {
                        damaged.add(e.getMessage());
                    }
                    continue;
                }
                Manifest manifest;
                ChunkCodec chunks;
                try {
                    manifest = manifest(ref, true);
                    chunks = codec.forKey(manifest.keyId(), relative(file));
                } catch (CorruptSnapshotException e) {
                    damaged.add(e.getMessage());
                    continue;
                }
                if (manifest.parent() > oldest && !present.contains(manifest.parent())) {
                    // Retention removes the oldest first: a gap means a manifest was lost.
                    damaged.add(relative(file) + ": snapshot " + manifest.parent() + ", written before it, is missing");
                }
                Set<String> checked = new HashSet<>();
                for (Manifest.StoredRoot root : manifest.roots()) {
                    for (Manifest.ChunkRef chunk : root.chunks()) {
                        referenced.add(chunk.pack());
                        if (checked.add(chunk.name())) {
                            chunkCount++;
                            try {
                                chunks.decode(chunk.name(), packs.read(chunk));
                            } catch (CorruptSnapshotException e) {
                                damaged.add(PACKS + "/" + chunk.pack() + " at offset " + chunk.offset() + " (snapshot "
                                        + ref.id() + "): " + e.getMessage());
                            }
                        }
                    }
                }
            }
        }
        List<String> leftovers = new ArrayList<>();
        for (Path pack : files(dir.resolve(PACKS), Pattern.compile("pack-\\d{16}\\.pack"))) {
            if (!referenced.contains(pack.getFileName().toString())) {
                leftovers.add(relative(pack));
            }
        }
        for (Path temp : temporaryFiles()) {
            leftovers.add(relative(temp));
        }
        return new Verification(damaged, leftovers, snapshots, chunkCount);
    }

    @Override
    public void close() throws IOException {
        synchronized (this) {
            if (workers != null) {
                workers.shutdownNow();
            }
        }
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

    private Path manifestFile(long sequence) {
        return dir.resolve(MANIFESTS).resolve(String.format("snapshot-%016d.json", sequence));
    }

    private String relative(Path file) {
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

    /** Pack files opened while reading, closed together. */
    private final class Packs implements AutoCloseable {
        private final Map<String, FileChannel> open = new LinkedHashMap<>();

        byte[] read(Manifest.ChunkRef chunk) throws IOException {
            if (chunk.length() < 0 || chunk.offset() < 0 || !chunk.pack().matches("pack-\\d{16}\\.pack")) {
                throw new CorruptSnapshotException("chunk " + chunk.name() + " has a bad location in its manifest");
            }
            FileChannel channel = open.get(chunk.pack());
            if (channel == null) {
                try {
                    channel = FileChannel.open(dir.resolve(PACKS).resolve(chunk.pack()), StandardOpenOption.READ);
                } catch (NoSuchFileException e) {
                    throw new CorruptSnapshotException(PACKS + "/" + chunk.pack() + " is missing");
                }
                open.put(chunk.pack(), channel);
            }
            if (chunk.offset() + chunk.length() > channel.size()) {
                throw new CorruptSnapshotException(PACKS + "/" + chunk.pack() + " is truncated: chunk " + chunk.name()
                        + " ends at " + (chunk.offset() + chunk.length()) + ", the file at " + channel.size());
            }
            ByteBuffer buffer = ByteBuffer.allocate(chunk.length());
            while (buffer.hasRemaining()) {
                if (channel.read(buffer, chunk.offset() + buffer.position()) < 0) {
                    throw new CorruptSnapshotException(PACKS + "/" + chunk.pack() + " ended early");
                }
            }
            return buffer.array();
        }

        @Override
        public void close() throws IOException {
            for (FileChannel channel : open.values()) {
                channel.close();
            }
        }
    }
}
