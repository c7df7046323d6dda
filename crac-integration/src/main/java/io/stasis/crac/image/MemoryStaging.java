package io.stasis.crac.image;

import io.stasis.files.PrivateFiles;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A private directory on memory-backed storage ({@code tmpfs}) where an encrypted image exists in
 * the clear, only while CRIU writes or reads it: nothing unencrypted ever reaches a disk.
 */
final class MemoryStaging implements AutoCloseable {

    static final Path SHARED_MEMORY = Path.of("/dev/shm");
    private static final String PREFIX = "stasis-image-";
    /** {@code stasis-image-PID-...}: the process that made it, so that another can tell it was left behind. */
    private static final Pattern NAME = Pattern.compile(Pattern.quote(PREFIX) + "(\\d+)-.*");

    private final Path path;
    /** Removes the plain image if the command is stopped (Ctrl-C, SIGTERM) while it exists. */
    private final Thread onExit;

    private MemoryStaging(Path path) {
        this.path = path;
        this.onExit = new Thread(this::delete, "stasis-staging-cleanup");
        Runtime.getRuntime().addShutdownHook(onExit);
    }

    /**
     * Whether {@code /dev/shm} is memory-backed and can hold {@code bytes}: checked before anything
     * is touched.
     */
    static void checkAvailable(long bytes) throws ImageException {
        try {
            FileStore store = Files.isDirectory(SHARED_MEMORY) ? Files.getFileStore(SHARED_MEMORY) : null;
            if (store == null || !store.type().equals("tmpfs")) {
                throw new ImageException(SHARED_MEMORY + " is not a memory-backed file system (tmpfs), where an "
                        + "encrypted image is kept in the clear while CRIU works on it; mount one there");
            }
            if (store.getUsableSpace() < bytes) {
                throw new ImageException(SHARED_MEMORY + " has " + store.getUsableSpace() / 1_000_000 + " MB free; "
                        + "the image needs " + bytes / 1_000_000 + " MB there while it is restored");
            }
        } catch (IOException e) {
            throw new ImageException("cannot inspect " + SHARED_MEMORY + ": " + e.getMessage(), e);
        }
    }

    /**
     * A new {@code 0700} directory in this user's own {@code /dev/shm/stasis-UID}, itself {@code 0700}
     * and checked: another user can neither plant nor reach anything there. Whatever goes wrong is
     * an {@link ImageException}, which a restore answers with its fallback.
     *
     * @param bytes how much it must hold, or 0 when not yet known
     */
    static MemoryStaging create(long bytes) throws ImageException {
        checkAvailable(bytes);
        Path parent = parent();
        try {
            PrivateFiles.directory(parent);
            removeAbandoned(parent);
            return new MemoryStaging(Files.createTempDirectory(parent, PREFIX + ProcessHandle.current().pid() + "-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))));
        } catch (IOException | RuntimeException e) {
            throw new ImageException("cannot make a private directory in " + parent + ": " + e.getMessage(), e);
        }
    }

    private static Path parent() {
        return SHARED_MEMORY.resolve("stasis-" + PrivateFiles.uid());
    }

    /**
     * Removes plain images whose process is gone, if this user has staged any, whether or not this
     * command stages one itself (an image found damaged does not); never fails, only warns.
     */
    static void removeAbandoned() {
        Path parent = parent();
        try {
            if (Files.exists(parent, LinkOption.NOFOLLOW_LINKS)) {
                PrivateFiles.checkDirectory(parent);
                removeAbandoned(parent);
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("[stasis] WARNING: cannot look for decrypted images left behind in " + parent + ": "
                    + e.getMessage());
        }
    }

    /**
     * Removes plain images whose process is gone: one killed outright (kill -9, a crash) had no
     * chance to. Nothing is left behind for longer than until the next image command. Only this
     * user's private parent is swept, and without following links.
     */
    private static void removeAbandoned(Path parent) throws IOException {
        try (Stream<Path> entries = Files.list(parent)) {
            for (Path entry : entries.toList()) {
                Matcher name = NAME.matcher(entry.getFileName().toString());
                if (name.matches() && !alive(name.group(1))) {
                    PrivateFiles.deleteTree(entry);
                    System.err.println("[stasis] removed " + entry + ", a decrypted image that process "
                            + name.group(1) + " left behind");
                }
            }
        }
    }

    private static boolean alive(String pid) {
        try {
            return ProcessHandle.of(Long.parseLong(pid)).isPresent();
        } catch (NumberFormatException e) {
            return false;
        }
    }

    Path path() {
        return path;
    }

    /**
     * Removes the directory and everything in it; safe to call more than once. It never throws: what
     * happens to the image must not depend on it. A failure is a loud warning, and the next image
     * command removes what is left.
     */
    @Override
    public synchronized void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(onExit);
        } catch (IllegalStateException e) {
            // shutting down: the hook does the same
        }
        delete();
    }

    private synchronized void delete() {
        try {
            PrivateFiles.deleteTree(path);
        } catch (IOException | RuntimeException e) {
            System.err.println("[stasis] WARNING: cannot remove " + path + ", which holds a decrypted image: "
                    + e.getMessage());
        }
    }

    @Override
    public String toString() {
        return path.toString();
    }
}
