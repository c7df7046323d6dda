package io.stasis.agent.internal.store;

import io.stasis.files.PrivateFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;

/**
 * The store's directory as a private place: {@code dir}, {@code manifests/} and {@code packs/}
 * are {@code 0700} and every file in them {@code 0600}, owned by the process's user. A directory
 * that another user owns, that others can write, or that is a link another user planted is
 * refused ({@link io.stasis.files.UnsafePathException}): whoever controls it controls what is
 * restored. A store of ours that older versions left readable by others is tightened on open.
 * Files in it are opened without following links, so nothing in it can redirect a read or a write.
 */
final class StoreDirectory {

    static final String MANIFESTS = "manifests";
    static final String PACKS = "packs";
    static final String LOCK = ".lock";

    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    private static final Set<PosixFilePermission> DIR = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

    private StoreDirectory() {
    }

    /** Creates (if needed) and checks a store to write to; tightens what older versions left open. */
    static void prepareForWriting(Path dir) throws IOException {
        PrivateFiles.directory(dir);
        PrivateFiles.directory(dir.resolve(MANIFESTS));
        PrivateFiles.directory(dir.resolve(PACKS));
        tighten(dir);
    }

    /** Checks a store to read from (one not made yet holds nothing); tightens what older versions left open. */
    static void prepareForReading(Path dir) throws IOException {
        if (Files.notExists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        PrivateFiles.checkDirectory(dir);
        for (String sub : List.of(MANIFESTS, PACKS)) {
            if (Files.exists(dir.resolve(sub), LinkOption.NOFOLLOW_LINKS)) {
                PrivateFiles.checkDirectory(dir.resolve(sub));
            }
        }
        tighten(dir);
    }

    /**
     * Opens the writer's lock file, created {@code 0600}. One of ours that others could open (the
     * layout of older versions) is first replaced by a new private file, so that a handle someone
     * opened on the old one, and a shared lock taken through it, stops nobody; one that is a link
     * or another user's is refused. (A writer of an older version still holding the old file would
     * no longer exclude this one; that can happen only once, while a store moves to this version,
     * and it cannot be told from another user's lock.)
     */
    static FileChannel openLock(Path dir) throws IOException {
        Path lock = dir.resolve(LOCK);
        if (POSIX && Files.exists(lock, LinkOption.NOFOLLOW_LINKS)) {
            PosixFileAttributes attributes = Files.readAttributes(lock, PosixFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
            if (attributes.isRegularFile() && ownedByUs(lock) && !FILE.containsAll(attributes.permissions())) {
                Path fresh = Durable.createTemporary(lock);
                Files.move(fresh, lock, StandardCopyOption.ATOMIC_MOVE);
            }
            PrivateFiles.checkFile(lock);
        }
        if (POSIX) {
            return FileChannel.open(lock, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS), PosixFilePermissions.asFileAttribute(FILE));
        }
        return FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    }

    /** A file of the store opened to read, never through a link: a link makes it damaged. */
    static FileChannel openForReading(Path file) throws IOException {
        try {
            return FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            // ELOOP comes as a plain IOException
            if (!(e instanceof NoSuchFileException) && Files.isSymbolicLink(file)) {
                throw new CorruptSnapshotException(file.getParent().getFileName() + "/" + file.getFileName()
                        + " is a symbolic link; Stasis never follows links in its store (remove it)");
            }
            throw e;
        }
    }

    /**
     * A whole file of at most {@code max} bytes, read without following a link; a larger one is
     * refused before anything is allocated.
     */
    static byte[] readBounded(Path file, long max, String name) throws IOException {
        try (FileChannel channel = openForReading(file)) {
            long size = channel.size();
            if (size > max) {
                throw new CorruptSnapshotException(name + " is " + size + " bytes; the format allows at most " + max
                        + " (not written by Stasis: remove it)");
            }
            ByteBuffer buffer = ByteBuffer.allocate((int) size);
            while (buffer.hasRemaining()) {
                if (channel.read(buffer) < 0) {
                    throw new CorruptSnapshotException(name + " ended early (changed while read)");
                }
            }
            return buffer.array();
        }
    }

    /**
     * What the regular files in {@code dir}, {@code manifests/} and {@code packs/} occupy, links not
     * followed (files removed while counted count as nothing); -1 if a directory cannot be read.
     */
    static long bytes(Path dir) {
        long total = 0;
        for (Path directory : List.of(dir, dir.resolve(MANIFESTS), dir.resolve(PACKS))) {
            if (!Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
                for (Path entry : entries) {
                    try {
                        BasicFileAttributes attributes = Files.readAttributes(entry, BasicFileAttributes.class,
                                LinkOption.NOFOLLOW_LINKS);
                        if (attributes.isRegularFile()) {
                            total += attributes.size();
                        }
                    } catch (IOException e) {
                        // removed by retention meanwhile
                    }
                }
            } catch (IOException | RuntimeException e) {
                return -1;
            }
        }
        return total;
    }

    /** Makes the store's directories 0700 and the files of ours in them 0600 ({@code .lock} aside). */
    private static void tighten(Path dir) throws IOException {
        if (!POSIX) {
            return;
        }
        for (Path directory : List.of(dir, dir.resolve(MANIFESTS), dir.resolve(PACKS))) {
            if (!Files.isDirectory(directory)) {
                continue;
            }
            if (!DIR.containsAll(Files.getPosixFilePermissions(directory))) {
                Files.setPosixFilePermissions(directory, DIR);
            }
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
                for (Path entry : entries) {
                    try {
                        PosixFileAttributeView view = Files.getFileAttributeView(entry, PosixFileAttributeView.class,
                                LinkOption.NOFOLLOW_LINKS);
                        PosixFileAttributes attributes = view.readAttributes();
                        // A loose .lock is replaced, not tightened: see openLock.
                        boolean lock = entry.equals(dir.resolve(LOCK));
                        if (attributes.isRegularFile() && !lock && !FILE.containsAll(attributes.permissions())
                                && ownedByUs(entry)) {
                            view.setPermissions(FILE);
                        }
                    } catch (NoSuchFileException e) {
                        // removed meanwhile by the retention of a live writer: nothing left to tighten
                    }
                }
            }
        }
    }

    private static boolean ownedByUs(Path file) throws IOException {
        return PrivateFiles.uid() == -1
                || (Integer) Files.getAttribute(file, "unix:uid", LinkOption.NOFOLLOW_LINKS) == PrivateFiles.uid();
    }
}
