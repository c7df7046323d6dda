package io.stasis.files;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Directories only the process's user can enter ({@code 0700}) and files only it can read
 * ({@code 0600}), created so rather than tightened afterwards; existing ones are checked before
 * use: a link or directory owned by another user, or one that others can write, is refused,
 * because whoever controls it controls what Stasis reads and where it writes. Trees are removed
 * relative to open directories, never through a link, so that a directory swapped for a link
 * during the walk cannot redirect the removal.
 */
public final class PrivateFiles {

    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    private static final Set<PosixFilePermission> DIR = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
    private static final int NO_UID = -1;
    private static final int UID = POSIX ? readUid() : NO_UID;

    private PrivateFiles() {
    }

    /** The effective user id of this process, or -1 where the platform has none. */
    public static int uid() {
        return UID;
    }

    /**
     * Returns {@code dir}, created {@code 0700} if it does not exist (its missing parents with the
     * default modes); an existing one is {@link #checkDirectory checked}.
     */
    public static Path directory(Path dir) throws IOException {
        if (Files.notExists(dir, LinkOption.NOFOLLOW_LINKS)) {
            Path parent = dir.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            try {
                if (POSIX) {
                    Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(DIR));
                } else {
                    Files.createDirectory(dir);
                }
                return dir;
            } catch (FileAlreadyExistsException e) {
                // made meanwhile, perhaps by someone else: checked below like any existing one
            }
        }
        checkDirectory(dir);
        return dir;
    }

    /**
     * Refuses a directory that is not this user's to trust: not a directory, a link owned by
     * another user, owned by another user, or writable by group or others.
     */
    public static void checkDirectory(Path dir) throws IOException {
        PosixFileAttributes target = trusted(dir);
        if (target != null && !target.isDirectory()) {
            throw new UnsafePathException(dir + " is not a directory: give a directory (or a path that does not exist yet)");
        }
        if (!POSIX && !Files.isDirectory(dir)) {
            throw new UnsafePathException(dir + " is not a directory: give a directory (or a path that does not exist yet)");
        }
    }

    /**
     * Refuses a file that is not this user's to trust: a link of any kind, owned by another user, or
     * writable by group or others.
     */
    public static void checkFile(Path file) throws IOException {
        if (!POSIX) {
            return;
        }
        PosixFileAttributes attributes = Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (attributes.isSymbolicLink()) {
            throw new UnsafePathException(file + " is a symbolic link; Stasis does not follow links in its own "
                    + "directories: remove it");
        }
        checkOwnerAndMode(file, attributes);
    }

    /** Creates a new file readable by its owner only; fails if anything, a link included, has the name. */
    public static FileChannel createFile(Path file) throws IOException {
        // CREATE_NEW is O_CREAT|O_EXCL: it fails on an existing name, a dangling link included.
        if (POSIX) {
            return FileChannel.open(file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    PosixFilePermissions.asFileAttribute(FILE));
        }
        return FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    }

    /** Writes {@code bytes} to a new private file. */
    public static void writeNew(Path file, byte[] bytes) throws IOException {
        try (FileChannel channel = createFile(file)) {
            java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        }
    }

    /**
     * Removes {@code path} and, if it is a directory, everything under it, without following any
     * link: a link is removed itself, never what it points to. Missing is not an error.
     */
    public static void deleteTree(Path path) throws IOException {
        Path absolute = path.toAbsolutePath();
        Path parent = absolute.getParent();
        if (parent == null) {
            throw new IOException("refusing to remove the root directory");
        }
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(parent)) {
            if (stream instanceof SecureDirectoryStream<Path> secure) {
                deleteEntry(secure, absolute.getFileName());
                return;
            }
        } catch (NoSuchFileException e) {
            return;
        }
        deleteWithoutSecureStreams(absolute);
    }

    private static void deleteEntry(SecureDirectoryStream<Path> dir, Path name) throws IOException {
        BasicFileAttributes attributes;
        try {
            attributes = dir.getFileAttributeView(name, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .readAttributes();
        } catch (NoSuchFileException e) {
            return;
        }
        if (attributes.isDirectory()) {
            // Opened with O_NOFOLLOW: if the directory was swapped for a link meanwhile, this fails.
            try (SecureDirectoryStream<Path> child = dir.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS)) {
                for (Path entry : child) {
                    deleteEntry(child, entry.getFileName());
                }
            }
            dir.deleteDirectory(name);
        } else {
            try {
                dir.deleteFile(name);
            } catch (NoSuchFileException e) {
                // removed meanwhile
            }
        }
    }

    /** Where the platform has no secure directory streams: a walk that does not follow links. */
    private static void deleteWithoutSecureStreams(Path path) throws IOException {
        if (Files.notExists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(path, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** After an atomic rename: makes the rename itself durable. */
    public static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // some file systems cannot open a directory; the file itself is already synced
        }
    }

    /**
     * The attributes of what {@code path} names once a link owned by this user is followed, or
     * {@code null} where the platform has no POSIX attributes.
     */
    private static PosixFileAttributes trusted(Path path) throws IOException {
        if (!POSIX) {
            return null;
        }
        PosixFileAttributes own = Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (own.isSymbolicLink()) {
            int owner = uidOf(path, LinkOption.NOFOLLOW_LINKS);
            if (UID != NO_UID && owner != UID) {
                throw new UnsafePathException(path + " is a symbolic link owned by uid " + owner + ", not by this "
                        + "process's user (uid " + UID + "): Stasis does not follow links that others planted; "
                        + "remove it or give the real path");
            }
            own = Files.readAttributes(path, PosixFileAttributes.class);
        }
        checkOwnerAndMode(path, own);
        return own;
    }

    private static void checkOwnerAndMode(Path path, PosixFileAttributes attributes) throws IOException {
        int owner = uidOf(path, attributes.isSymbolicLink() ? LinkOption.NOFOLLOW_LINKS : null);
        if (UID != NO_UID && owner != UID) {
            throw new UnsafePathException(path + " belongs to uid " + owner + ", not to this process's user (uid "
                    + UID + "): Stasis keeps its files private to their user; use a path this user owns "
                    + "(or chown " + UID + " " + path + ")");
        }
        Set<PosixFilePermission> permissions = attributes.permissions();
        if (permissions.contains(PosixFilePermission.GROUP_WRITE) || permissions.contains(PosixFilePermission.OTHERS_WRITE)) {
            throw new UnsafePathException(path + " is writable by group or others (mode "
                    + PosixFilePermissions.toString(permissions) + "), so others could replace what Stasis keeps "
                    + "there: chmod go-w " + path);
        }
    }

    private static int uidOf(Path path, LinkOption option) throws IOException {
        Object uid = option == null ? Files.getAttribute(path, "unix:uid")
                : Files.getAttribute(path, "unix:uid", option);
        return (Integer) uid;
    }

    private static int readUid() {
        try {
            // /proc/self is this process's own directory, owned by its effective user.
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return NO_UID;
        }
    }
}
