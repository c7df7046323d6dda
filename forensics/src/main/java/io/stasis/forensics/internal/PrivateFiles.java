package io.stasis.forensics.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/** Directories only the JVM's user can enter ({@code 0700}), files only it can read ({@code 0600}). */
public final class PrivateFiles {

    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    private static final Set<PosixFilePermission> DIR = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

    private PrivateFiles() {
    }

    /** Creates the directory (and parents) if needed and makes it {@code 0700}. */
    public static Path directory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            if (dir.getParent() != null) {
                Files.createDirectories(dir.getParent());
            }
            try {
                if (POSIX) {
                    Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(DIR));
                } else {
                    Files.createDirectory(dir);
                }
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // made meanwhile; its permissions are set below
            }
        }
        if (POSIX) {
            Files.setPosixFilePermissions(dir, DIR);
        }
        return dir;
    }

    /** Creates a new file readable by its owner only. */
    public static FileChannel createFile(Path file) throws IOException {
        if (POSIX) {
            return FileChannel.open(file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    PosixFilePermissions.asFileAttribute(FILE));
        }
        return FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    }

    /** After an atomic rename: makes the rename itself durable. */
    public static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // some file systems cannot open a directory; the file itself is already synced
        }
    }
}
