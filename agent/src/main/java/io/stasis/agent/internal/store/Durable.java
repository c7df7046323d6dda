package io.stasis.agent.internal.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Publishing a file so that a crash at any moment leaves either nothing or all of it under its
 * name: the content is written to a temporary name in the same directory and fsynced, renamed
 * atomically, and the directory fsynced so the rename itself survives.
 */
final class Durable {

    static final String TEMP_PREFIX = ".";
    static final String TEMP_SUFFIX = ".tmp";

    private Durable() {
    }

    /** A temporary name for {@code target}, hidden, in the same directory. */
    static Path temporary(Path target) {
        return target.resolveSibling(TEMP_PREFIX + target.getFileName() + TEMP_SUFFIX);
    }

    /** Fsyncs {@code temp} (already written and closed), renames it to {@code target}, fsyncs the directory. */
    static void publish(Path temp, Path target) throws IOException {
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
            // After a failed fsync the kernel may have dropped the pages: the caller fails, no retry.
            channel.force(true);
        }
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        syncDirectory(target.getParent());
    }

    /** Writes {@code bytes} as {@code target}, durably. */
    static void write(Path target, byte[] bytes) throws IOException {
        Path temp = temporary(target);
        try {
            Files.write(temp, bytes, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE);
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
