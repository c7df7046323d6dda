package io.stasis.agent.internal;

import io.stasis.agent.internal.config.AgentOptions;
import io.stasis.agent.internal.config.OptionsException;
import io.stasis.agent.internal.store.BlobStore;
import io.stasis.agent.internal.metrics.MirrorStats;
import io.stasis.agent.internal.store.FileSnapshotStore;
import io.stasis.agent.internal.store.Mirror;
import io.stasis.agent.internal.store.MirroredStore;
import io.stasis.agent.internal.store.S3Location;
import io.stasis.agent.internal.store.SnapshotRef;
import io.stasis.agent.internal.store.SnapshotStore;
import io.stasis.agent.internal.store.StoreKey;
import io.stasis.agent.internal.store.StoreLockedException;
import io.stasis.agent.internal.store.WrongKeyException;
import io.stasis.agent.internal.store.s3.S3Loader;
import io.stasis.files.PrivateFiles;
import io.stasis.files.UnsafePathException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The store the options name, opened at start-up: to write, or only to restore from when another
 * JVM writes it or this process cannot. What stops start-up is an {@link OptionsException} that
 * names the option, the path, the cause and the fix.
 *
 * @param store      what restore reads
 * @param writer     the same store when this JVM takes checkpoints, or {@code null}
 * @param notWriting why it takes none, or {@code null}
 * @param mirrored   with {@code mirror=s3://…}: the local store and its mirror, which restore reads and
 *                   checkpoints go to; {@code null} without a mirror
 * @param mirror     the mirror's upload lag and failures (-1 lag without a mirror)
 */
record OpenedStore(FileSnapshotStore store, FileSnapshotStore writer, String notWriting, MirroredStore mirrored,
                   MirrorStats mirror) {

    OpenedStore(FileSnapshotStore store, FileSnapshotStore writer, String notWriting) {
        this(store, writer, notWriting, null, MirrorStats.none());
    }

    /** What restore reads: the local store, or it and its mirror. */
    SnapshotStore restoreFrom() {
        return mirrored != null ? mirrored : store;
    }

    /** Where checkpoints go, or {@code null} when this JVM takes none. */
    SnapshotStore checkpointTo() {
        return writer == null ? null : mirrored != null ? mirrored : writer;
    }

    static OpenedStore open(AgentOptions options) throws IOException {
        StoreKey key = readKey(options.encryptionKey());
        if (options.s3() != null) {
            return openS3(options, key);
        }
        OpenedStore local = openLocal(options, key);
        return options.mirror() == null ? local : withMirror(local, options, key);
    }

    /**
     * Adds {@code mirror=s3://…}: read now for restore (a mirror that cannot be reached is said
     * once and restore reads the local store alone), written by the {@link Mirror}'s thread, which
     * opens it again itself and never holds up start-up or a checkpoint.
     */
    private static OpenedStore withMirror(OpenedStore local, AgentOptions options, StoreKey key) {
        S3Location where = options.mirror();
        FileSnapshotStore remote = null;
        BlobStore blobs = null;
        try {
            blobs = S3Loader.open(where);
            remote = FileSnapshotStore.openForReading(blobs, key, options.acceptPlain());
        } catch (IOException | RuntimeException e) {
            closeQuietly(blobs);
            Log.warn("mirror " + where.url() + " cannot be read (" + Log.describe(e) + "): restoring from "
                    + local.store().location() + " alone; uploads are retried in the background");
        }
        MirrorStats stats = MirrorStats.configured();
        Mirror mirror = null;
        if (local.writer() != null) {
            mirror = new Mirror(local.writer(), where.url(), () -> S3Loader.open(where), key, options.acceptPlain(),
                    options.keep(), stats);
        }
        MirroredStore mirrored = new MirroredStore(local.store(), remote, mirror, where.url());
        if (mirror != null) {
            mirror.start();
            sendUnmirrored(local.writer(), remote, mirror);
        }
        return new OpenedStore(local.store(), local.writer(), local.notWriting(), mirrored, stats);
    }

    /** A snapshot left in the local store by a JVM that exited before it reached the mirror: sent now. */
    private static void sendUnmirrored(FileSnapshotStore local, FileSnapshotStore remote, Mirror mirror) {
        try {
            long newest = local.list().stream().mapToLong(SnapshotRef::sequence).max().orElse(-1);
            long mirrored = remote == null ? -1
                    : remote.list().stream().mapToLong(SnapshotRef::sequence).max().orElse(-1);
            if (newest > mirrored) {
                mirror.committed(newest);
            }
        } catch (IOException | RuntimeException e) {
            // the next checkpoint is sent
        }
    }

    private static void closeQuietly(BlobStore blobs) {
        if (blobs != null) {
            try {
                blobs.close();
            } catch (IOException | RuntimeException e) {
                // nothing was opened through it
            }
        }
    }

    private static OpenedStore openLocal(AgentOptions options, StoreKey key) throws IOException {
        FileSnapshotStore writer = null;
        String notWriting = null;
        FileSnapshotStore store;
        try {
            try {
                writer = FileSnapshotStore.openForWriting(options.dir(), key, options.acceptPlain());
            } catch (StoreLockedException e) {
                notWriting = e.getMessage();
                Log.error("this JVM will not take checkpoints: " + notWriting, null);
            } catch (UnsafePathException e) {
                throw e;
            } catch (IOException e) {
                notWriting = readOnly(options.dir(), e);
                Log.warn("option 'dir': " + notWriting);
            }
            store = writer != null ? writer : FileSnapshotStore.openForReading(options.dir(), key, options.acceptPlain());
        } catch (UnsafePathException e) {
            throw new OptionsException("option 'dir': " + e.getMessage());
        }
        checkKey(store);
        if (writer != null) {
            writer.compressChunks(options.compression() == AgentOptions.Compression.LZ4);
        }
        return new OpenedStore(store, writer, notWriting);
    }

    /**
     * A store in object storage ({@code dir=s3://…}): the S3 client is loaded here, and only here.
     * A bucket that cannot be reached stops start-up like a directory that cannot be made.
     */
    private static OpenedStore openS3(AgentOptions options, StoreKey key) throws IOException {
        BlobStore blobs = null;
        FileSnapshotStore store;
        try {
            blobs = S3Loader.open(options.s3());
            store = FileSnapshotStore.openForWriting(blobs, key, options.acceptPlain());
        } catch (IOException e) {
            if (blobs != null) {
                blobs.close();
            }
            throw new OptionsException("option 'dir': cannot use " + options.s3() + ": " + Log.describe(e));
        }
        checkKey(store);
        store.compressChunks(options.compression() == AgentOptions.Compression.LZ4);
        return new OpenedStore(store, store, null);
    }

    private static void checkKey(FileSnapshotStore store) throws IOException {
        try {
            store.checkKey();
        } catch (WrongKeyException e) {
            store.close();
            throw new OptionsException("option 'encryption-key': " + e.getMessage()
                    + "; nothing was restored or written");
        }
    }

    /**
     * A store this process cannot write (a read-only filesystem, a directory of another user's
     * making) still restores: checkpoints are off. A store that cannot even be made is an error.
     */
    private static String readOnly(Path dir, IOException cause) {
        Path absolute = dir.toAbsolutePath().normalize();
        for (Path above = absolute; above != null; above = above.getParent()) {
            if (Files.exists(above) && !Files.isDirectory(above)) {
                throw new OptionsException("option 'dir': " + above + " is a file, not a directory, so no store can be "
                        + "made in " + absolute + "; give a directory, or a path that does not exist yet");
            }
        }
        if (!Files.isDirectory(absolute.resolve("manifests"))) {
            throw new OptionsException("option 'dir': cannot make a store in " + absolute + ": " + inWords(cause)
                    + "; give a directory this user can write, or a path that does not exist yet");
        }
        return absolute + " cannot be written (" + inWords(cause) + "): restoring from it, but taking no "
                + "checkpoints; give a writable dir to take them";
    }

    /** {@code /a/b: Not a directory} says less than which part is wrong and why. */
    private static String inWords(IOException e) {
        if (e instanceof NotDirectoryException) {
            return e.getMessage() + " or a directory above it is a file, not a directory";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied on " + e.getMessage();
        }
        if (e instanceof FileSystemException fs && fs.getReason() != null) {
            return fs.getReason().toLowerCase(Locale.ROOT) + (fs.getFile() == null ? "" : " (" + fs.getFile() + ")");
        }
        return Log.describe(e);
    }

    static StoreKey readKey(Path file) {
        if (file == null) {
            return null;
        }
        if (!Files.exists(file)) {
            throw new OptionsException("option 'encryption-key': the key file " + file.toAbsolutePath().normalize()
                    + " does not exist: make one with 'openssl rand -hex 32 > " + file + " && chmod 600 " + file
                    + "', or give the path of the key the store was written with");
        }
        try {
            return StoreKey.read(file);
        } catch (IOException | IllegalArgumentException e) {
            throw new OptionsException("option 'encryption-key': cannot read a key from "
                    + file.toAbsolutePath().normalize() + ": " + Log.describe(e));
        }
    }
}
