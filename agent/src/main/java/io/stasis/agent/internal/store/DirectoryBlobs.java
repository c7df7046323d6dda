package io.stasis.agent.internal.store;

import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
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
import java.util.List;
import java.util.regex.Pattern;

/**
 * Objects as files in a private directory ({@link StoreDirectory}): {@code 0700} directories,
 * {@code 0600} files, never a link followed. An object is written to a temporary file, fsynced and
 * renamed into place, its directory fsynced ({@link Durable}); the writer's exclusion is a lock on
 * {@code .lock}, so that checking for an existing object and renaming over its name cannot race
 * another writer.
 */
final class DirectoryBlobs implements BlobStore {

    private static final Pattern TEMPORARY = Pattern.compile(Pattern.quote(Durable.TEMP_PREFIX) + ".*"
            + Pattern.quote(Durable.TEMP_SUFFIX));

    private final Path dir;
    private FileChannel lockChannel;
    private FileLock lock;

    DirectoryBlobs(Path dir) {
        this.dir = dir;
    }

    Path dir() {
        return dir;
    }

    @Override
    public String location() {
        return dir.toAbsolutePath().toString();
    }

    @Override
    public void prepareForWriting() throws IOException {
        StoreDirectory.prepareForWriting(dir);
    }

    @Override
    public void prepareForReading() throws IOException {
        StoreDirectory.prepareForReading(dir);
    }

    @Override
    public synchronized void lock() throws IOException {
        if (lock != null) {
            return;
        }
        FileChannel channel = StoreDirectory.openLock(dir);
        FileLock taken;
        try {
            taken = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            taken = null;
        }
        if (taken == null) {
            channel.close();
            throw new StoreLockedException("another process is writing snapshots to " + dir.toAbsolutePath()
                    + " (it holds " + dir.resolve(StoreDirectory.LOCK) + "); give each JVM its own dir");
        }
        lockChannel = channel;
        lock = taken;
    }

    @Override
    public synchronized void unlock() throws IOException {
        if (lock != null) {
            lock.release();
            lockChannel.close();
            lock = null;
            lockChannel = null;
        }
    }

    /**
     * By {@code /proc/locks}: taking even a shared lock here to find out would, on closing, drop
     * this JVM's own lock if it writes.
     */
    @Override
    public boolean writerLive() {
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

    @Override
    public Upload create(String name) throws IOException {
        Path target = dir.resolve(name);
        Path temp = Durable.createTemporary(target);
        FileChannel out;
        try {
            out = Durable.openTemporary(temp);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        return new FileUpload(target, temp, out);
    }

    /**
     * A temporary file that becomes the object by an atomic rename. Every {@link #FLUSH_BYTES}
     * written, what is written so far starts for the disk on a thread of its own while writing goes
     * on, so that the commit's fsync finds little left: the disk works beside the CPUs.
     */
    private static final class FileUpload implements Upload {
        static final long FLUSH_BYTES = 8 << 20;

        private final Path target;
        private final Path temp;
        private FileChannel out;
        private boolean committed;
        private long unflushed;
        private Thread flushing;
        private volatile IOException flushFailure;

        FileUpload(Path target, Path temp, FileChannel out) {
            this.target = target;
            this.temp = temp;
            this.out = out;
        }

        @Override
        public void write(ByteBuffer bytes) throws IOException {
            unflushed += bytes.remaining();
            while (bytes.hasRemaining()) {
                out.write(bytes);
            }
            if (unflushed >= FLUSH_BYTES && (flushing == null || !flushing.isAlive())) {
                unflushed = 0;
                FileChannel channel = out;
                flushing = new Thread(() -> {
                    try {
                        channel.force(false);
                    } catch (IOException e) {
                        flushFailure = e;
                    }
                }, "stasis-store-flush");
                flushing.setDaemon(true);
                flushing.start();
            }
        }

        @Override
        public boolean commit() throws IOException {
            if (out != null) {
                awaitFlush();
                out.close();
                out = null;
            }
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS) && !Files.isSymbolicLink(target)) {
                return false;
            }
            Durable.publish(temp, target);
            committed = true;
            return true;
        }

        /**
         * Waits for the flush under way, if any. One that failed fails the upload: after a failed
         * fsync the kernel may have dropped the pages, so nothing is retried.
         */
        private void awaitFlush() throws IOException {
            if (flushing != null) {
                try {
                    flushing.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while " + temp + " was written to the disk");
                }
                flushing = null;
            }
            if (flushFailure != null) {
                throw new IOException("cannot write " + temp + " to the disk: " + flushFailure.getMessage(), flushFailure);
            }
        }

        @Override
        public void close() throws IOException {
            if (out != null) {
                try {
                    awaitFlush(); // not closed under a flush of it
                } catch (IOException e) {
                    // discarded anyway
                }
                out.close();
                out = null;
            }
            if (!committed) {
                Files.deleteIfExists(temp);
            }
        }
    }

    @Override
    public byte[] read(String name, long max, String label) throws IOException {
        return StoreDirectory.readBounded(dir.resolve(name), max, label);
    }

    @Override
    public Reader open(String name) throws IOException {
        FileChannel channel = StoreDirectory.openForReading(dir.resolve(name));
        return new Reader() {
            @Override
            public long size() throws IOException {
                return channel.size();
            }

            @Override
            public void read(long position, ByteBuffer into) throws IOException {
                long at = position;
                while (into.hasRemaining()) {
                    int read = channel.read(into, at);
                    if (read < 0) {
                        throw new EOFException(name + " ended early");
                    }
                    at += read;
                }
            }

            @Override
            public void close() throws IOException {
                channel.close();
            }
        };
    }

    @Override
    public List<Entry> list(String prefix) throws IOException {
        int slash = prefix.lastIndexOf('/');
        Path folder = slash < 0 ? dir : dir.resolve(prefix.substring(0, slash));
        String start = prefix.substring(slash + 1);
        List<Entry> found = new ArrayList<>();
        for (Path file : files(folder, null)) {
            String name = file.getFileName().toString();
            if (!name.startsWith(start)) {
                continue;
            }
            try {
                found.add(new Entry(dir.relativize(file).toString(), Files.size(file)));
            } catch (NoSuchFileException deletedMeanwhile) {
                // removed by retention between listing and stat
            }
        }
        return found;
    }

    @Override
    public boolean exists(String name) {
        return Files.exists(dir.resolve(name));
    }

    @Override
    public void delete(String name) throws IOException {
        Files.deleteIfExists(dir.resolve(name));
    }

    @Override
    public void syncRemovals() throws IOException {
        Durable.syncDirectory(dir);
        for (String sub : List.of(StoreDirectory.MANIFESTS, StoreDirectory.PACKS)) {
            if (Files.isDirectory(dir.resolve(sub))) {
                Durable.syncDirectory(dir.resolve(sub));
            }
        }
    }

    @Override
    public List<String> leftovers() throws IOException {
        List<String> found = new ArrayList<>();
        for (Path directory : List.of(dir, dir.resolve(StoreDirectory.MANIFESTS), dir.resolve(StoreDirectory.PACKS))) {
            for (Path temp : files(directory, TEMPORARY)) {
                found.add(dir.relativize(temp).toString());
            }
        }
        return found;
    }

    @Override
    public List<String> removeLeftovers() throws IOException {
        List<String> removed = leftovers();
        for (String temp : removed) {
            Files.deleteIfExists(dir.resolve(temp));
        }
        return removed;
    }

    @Override
    public long totalBytes() {
        return StoreDirectory.bytes(dir);
    }

    @Override
    public void close() throws IOException {
        unlock();
    }

    private static List<Path> files(Path directory, Pattern name) throws IOException {
        List<Path> found = new ArrayList<>();
        if (!Files.isDirectory(directory)) {
            return found;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
            for (Path entry : entries) {
                if (name == null || name.matcher(entry.getFileName().toString()).matches()) {
                    found.add(entry);
                }
            }
        }
        return found;
    }
}
