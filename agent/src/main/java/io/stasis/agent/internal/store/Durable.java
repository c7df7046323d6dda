package io.stasis.agent.internal.store;

import io.stasis.files.PrivateFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Publishing a file so that a crash at any moment leaves either nothing or all of it under its
 * name: the content is written to a new temporary file in the same directory and fsynced, renamed
 * atomically, and the directory fsynced so the rename itself survives. Temporary files are created
 * {@code 0600} under a random name with {@code O_EXCL}, so a link or file already under that name
 * makes the creation fail (and retry with another name) instead of writing through it.
 */
final class Durable {

    static final String TEMP_PREFIX = ".";
    static final String TEMP_SUFFIX = ".tmp";
    private static final int ATTEMPTS = 16;

    private Durable() {
    }

    /** Creates a new, empty, private temporary file for {@code target}, hidden, in the same directory. */
    static Path createTemporary(Path target) throws IOException {
        for (int attempt = 0; ; attempt++) {
            Path temp = target.resolveSibling(TEMP_PREFIX + target.getFileName() + "."
                    + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1) + TEMP_SUFFIX);
            try {
                PrivateFiles.createFile(temp).close();
                return temp;
            } catch (FileAlreadyExistsException e) {
                if (attempt == ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    /** Opens a temporary file made by {@link #createTemporary} to write, never through a link. */
    static FileChannel openTemporary(Path temp) throws IOException {
        return FileChannel.open(temp, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
    }

    /** Fsyncs {@code temp} (already written and closed), renames it to {@code target}, fsyncs the directory. */
    static void publish(Path temp, Path target) throws IOException {
        try (FileChannel channel = openTemporary(temp)) {
            // After a failed fsync the kernel may have dropped the pages: the caller fails, no retry.
            channel.force(true);
        }
        if (Files.isSymbolicLink(target)) {
            throw new IOException(target + " is a symbolic link; Stasis does not replace links in its"
                    + " store: remove it");
        }
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        syncDirectory(target.getParent());
    }

    /** Writes {@code bytes} as {@code target}, durably. */
    static void write(Path target, byte[] bytes) throws IOException {
        Path temp = createTemporary(target);
        try {
            try (FileChannel channel = openTemporary(temp)) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
            }
            publish(temp, target);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
    }

    static void syncDirectory(Path dir) throws IOException {
        try (FileChannel directory = FileChannel.open(dir, StandardOpenOption.READ)) {
            directory.force(true);
        }
    }
}
