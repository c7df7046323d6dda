package io.stasis.agent.internal.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Where a store keeps its named, immutable objects ({@code manifests/…}, {@code packs/…}): a local
 * directory ({@link DirectoryBlobs}) or a bucket in S3-compatible object storage. An object is
 * published whole or not at all, and never replaced: {@link Upload#commit} creates it only if no
 * object of that name exists. Snapshots, chunks and verification live above, in
 * {@link FileSnapshotStore}, and are the same on every kind.
 *
 * <p>Names are relative, with {@code /} between a folder and a name, one level deep at most.
 */
public interface BlobStore extends AutoCloseable {

    /** Where the objects are, for messages: a directory or {@code s3://bucket/prefix}. */
    String location();

    /** Prepares an empty store to write to (creates what must exist); called before {@link #lock}. */
    void prepareForWriting() throws IOException;

    /** Checks a store to read from; one that does not exist yet holds nothing. */
    void prepareForReading() throws IOException;

    /**
     * Takes the writer's exclusion: one writer at a time per store.
     *
     * @throws StoreLockedException when another process writes to it
     */
    void lock() throws IOException;

    /** Lets go of what {@link #lock} took; nothing if not taken. */
    void unlock() throws IOException;

    /** Whether another process (or this one) holds the writer's exclusion now, as far as can be told. */
    boolean writerLive();

    /**
     * Before a change (a checkpoint, retention, collection): makes sure this process is still the
     * store's writer. A store in object storage has no lock: there a writer's lease is taken if it
     * is free, renewed if it is this process's ({@code S3Blobs}); a directory has its lock already.
     *
     * @return {@code true} if the lease was taken just now: another writer may have written before
     * @throws StoreLockedException when another writer holds the store
     */
    default boolean holdWriter() throws IOException {
        return false;
    }

    /** Just before a commit: fails if this writer's lease may have lapsed since {@link #holdWriter}. */
    default void checkWriter() throws IOException {
    }

    /** Lets another writer take over at once (after the last checkpoint); {@link #holdWriter} takes it back. */
    default void releaseWriter() throws IOException {
    }

    /**
     * Whether reading a few KiB from an object costs about what reading a local file does: a writer
     * then reads back the chunks it stores new ones as deltas against. An object store answers each
     * read in milliseconds, so its writers store changed chunks whole.
     */
    default boolean smallReadsCheap() {
        return true;
    }

    /** Starts a new object; nothing is visible under {@code name} until {@link Upload#commit}. */
    Upload create(String name) throws IOException;

    /** An object being written: appended to, then published once. */
    interface Upload extends AutoCloseable {

        /** Appends what remains of {@code bytes}, taken before it returns: the caller fills the buffer again. */
        void write(ByteBuffer bytes) throws IOException;

        /**
         * Publishes what was written as the object, durably, if no object of that name exists.
         *
         * @return {@code false}, with nothing changed and the upload still open, if one exists
         */
        boolean commit() throws IOException;

        /** Discards what was written unless it was committed. */
        @Override
        void close() throws IOException;
    }

    /**
     * Publishes a local file as the object {@code name} if no object of that name exists, reading
     * it in pieces (never whole into memory where the store can stream it: {@code S3Blobs}).
     *
     * @return {@code false}, with nothing changed, if one exists
     */
    default boolean copyIn(String name, java.nio.file.Path file) throws IOException {
        try (java.nio.channels.FileChannel in = java.nio.channels.FileChannel.open(file);
             Upload out = create(name)) {
            ByteBuffer piece = ByteBuffer.allocate(1 << 20);
            while (in.read(piece.clear()) > 0) {
                out.write(piece.flip());
            }
            return out.commit();
        }
    }

    /**
     * A whole object of at most {@code max} bytes; a larger one is refused before anything is
     * allocated ({@link CorruptSnapshotException} naming {@code label}).
     *
     * @throws java.nio.file.NoSuchFileException if it does not exist
     */
    byte[] read(String name, long max, String label) throws IOException;

    /**
     * An object opened for reads at any offset.
     *
     * @throws java.nio.file.NoSuchFileException if it does not exist
     */
    Reader open(String name) throws IOException;

    /** An object opened by {@link #open}. */
    interface Reader extends AutoCloseable {

        long size() throws IOException;

        /** Fills {@code into} from {@code position}; fails if the object ends first. */
        void read(long position, ByteBuffer into) throws IOException;

        @Override
        void close() throws IOException;
    }

    /** An object's name and size. */
    record Entry(String name, long size) {
    }

    /**
     * The objects whose names start with {@code prefix}, in the folder the prefix names (up to its
     * last {@code /}), not in folders below it; in no particular order.
     */
    List<Entry> list(String prefix) throws IOException;

    /** Whether an object exists. */
    boolean exists(String name) throws IOException;

    /** Removes an object; one that does not exist is no error. */
    void delete(String name) throws IOException;

    /** Makes the removals done so far durable. */
    void syncRemovals() throws IOException;

    /** Remains of uploads never committed (a writer killed part-way), by name: {@link #removeLeftovers} removes them. */
    List<String> leftovers() throws IOException;

    /** Removes {@link #leftovers}; only under the writer's exclusion. */
    List<String> removeLeftovers() throws IOException;

    /** What the objects occupy; -1 if that cannot be told. */
    long totalBytes();

    @Override
    void close() throws IOException;
}
