package io.stasis.agent.internal.store;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Snapshots as files in one directory, one file per snapshot, published atomically: written to a
 * hidden temporary file, fsynced, renamed into place, and the directory fsynced. A crash at any
 * moment leaves either the previous set of snapshots or the new one, never a torn file under a
 * snapshot's name. One writer at a time holds {@code .lock}.
 */
public final class FileSnapshotStore implements SnapshotStore {

    private static final Pattern SNAPSHOT = Pattern.compile("snapshot-(\\d{16})\\.stasis");
    private static final String TEMP_PREFIX = ".snapshot-";
    private static final String TEMP_SUFFIX = ".tmp";

    private final Path dir;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private long nextSequence = -1;

    private FileSnapshotStore(Path dir, FileChannel lockChannel, FileLock lock) {
        this.dir = dir;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /** Opens {@code dir} to read snapshots only. */
    public static FileSnapshotStore openForReading(Path dir) {
        return new FileSnapshotStore(dir, null, null);
    }

    /**
     * Opens {@code dir} to write snapshots, creating it if needed, and takes the writer's lock.
     * Leftover temporary files of a writer that crashed are removed.
     *
     * @throws StoreLockedException when another process writes to {@code dir}
     */
    public static FileSnapshotStore openForWriting(Path dir) throws IOException {
        Files.createDirectories(dir);
        FileChannel channel = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
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
        FileSnapshotStore store = new FileSnapshotStore(dir, channel, lock);
        store.removeTemporaryFiles();
        return store;
    }

    public Path dir() {
        return dir;
    }

    @Override
    public synchronized long nextSequence() throws IOException {
        if (nextSequence < 0) {
            nextSequence = list().stream().mapToLong(SnapshotRef::sequence).max().orElse(0) + 1;
        }
        return nextSequence;
    }

    @Override
    public synchronized SnapshotRef write(Snapshot snapshot) throws IOException {
        if (lock == null) {
            throw new IllegalStateException("store opened for reading only");
        }
        String name = fileName(snapshot.sequence());
        Path temp = dir.resolve(TEMP_PREFIX + snapshot.sequence() + TEMP_SUFFIX);
        Path target = dir.resolve(name);
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 20);
                SnapshotCodec.write(snapshot, out);
                out.flush();
                // After a failed fsync the kernel may have dropped the pages: the snapshot fails, no retry.
                channel.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            syncDirectory();
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        nextSequence = Math.max(nextSequence, snapshot.sequence() + 1);
        return new SnapshotRef(String.valueOf(snapshot.sequence()), snapshot.sequence(), Files.size(target));
    }

    @Override
    public List<SnapshotRef> list() throws IOException {
        List<SnapshotRef> refs = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return refs;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "snapshot-*.stasis")) {
            for (Path file : files) {
                Matcher m = SNAPSHOT.matcher(file.getFileName().toString());
                if (m.matches()) {
                    long sequence = Long.parseLong(m.group(1));
                    try {
                        refs.add(new SnapshotRef(String.valueOf(sequence), sequence, Files.size(file)));
                    } catch (NoSuchFileException deletedMeanwhile) {
                        // removed by retention between listing and stat
                    }
                }
            }
        }
        refs.sort(Comparator.comparingLong(SnapshotRef::sequence).reversed());
        return refs;
    }

    @Override
    public Snapshot read(SnapshotRef ref) throws IOException {
        String name = fileName(ref.sequence());
        return SnapshotCodec.read(Files.readAllBytes(dir.resolve(name)), name);
    }

    @Override
    public synchronized void retain(int keep) throws IOException {
        List<SnapshotRef> refs = list();
        for (SnapshotRef old : refs.subList(Math.min(keep, refs.size()), refs.size())) {
            Files.deleteIfExists(dir.resolve(fileName(old.sequence())));
        }
        syncDirectory();
    }

    @Override
    public void close() throws IOException {
        if (lockChannel != null) {
            lock.release();
            lockChannel.close();
        }
    }

    static String fileName(long sequence) {
        return String.format("snapshot-%016d.stasis", sequence);
    }

    private void removeTemporaryFiles() throws IOException {
        try (DirectoryStream<Path> temps = Files.newDirectoryStream(dir, TEMP_PREFIX + "*" + TEMP_SUFFIX)) {
            for (Path temp : temps) {
                Files.deleteIfExists(temp);
            }
        }
    }

    private void syncDirectory() throws IOException {
        try (FileChannel directory = FileChannel.open(dir, StandardOpenOption.READ)) {
            directory.force(true);
        }
    }
}
