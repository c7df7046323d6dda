package io.stasis.crac.image;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * An image directory: CRIU's image files (or, encrypted, {@code NAME.img.age}), {@value #MANIFEST} beside them, and three small files
 * through which the JVM being imaged and the dumper outside it agree on what happens:
 * <ol>
 *   <li>{@value #PREPARED}: the JVM has notified its Resources ({@code ready}) or could not
 *       ({@code failed} and why);</li>
 *   <li>{@value #CLAIM}: created exclusively, by the dumper as it starts CRIU ({@code dumping}) or by
 *       the JVM when it stops waiting ({@code abandoned}); whoever creates it decides;</li>
 *   <li>{@value #RESULT}: the dumper's outcome ({@code dumped} or {@code failed} and why).</li>
 * </ol>
 * The JVM never holds a file here open, so none of them is part of the image.
 */
public final class ImageDir {

    public static final String MANIFEST = "stasis-image.json";
    static final String PREPARED = ".stasis-prepared";
    static final String CLAIM = ".stasis-claim";
    static final String RESULT = ".stasis-result";
    static final String READY = "ready";
    static final String DUMPED = "dumped";
    static final String FAILED = "failed";

    private final Path path;

    public ImageDir(Path path) {
        this.path = path.toAbsolutePath().normalize();
    }

    public Path path() {
        return path;
    }

    public Path manifest() {
        return path.resolve(MANIFEST);
    }

    /** Whether an image (or an attempt at one) is already here: images are never overwritten. */
    public boolean inUse() throws IOException {
        if (!Files.isDirectory(path)) {
            return false;
        }
        try (var entries = Files.list(path)) {
            return entries.findAny().isPresent();
        }
    }

    /**
     * Removes a previous image (CRIU's files, the manifest, the control files and logs), for a JVM
     * that images itself to the same directory again. Other files are left alone.
     */
    public void clear() throws IOException {
        if (!Files.isDirectory(path)) {
            return;
        }
        try (var entries = Files.list(path)) {
            for (Path file : entries.toList()) {
                String name = file.getFileName().toString();
                if (name.endsWith(".img") || name.contains(".img.") || name.startsWith(MANIFEST) || name.startsWith(".stasis-")
                        || name.endsWith(".log")) {
                    Files.delete(file);
                }
            }
        }
    }

    void prepared(String status) throws IOException {
        write(PREPARED, status);
    }

    Optional<String> prepared() throws IOException {
        return read(PREPARED);
    }

    /** @return whether this side created the claim, and so decides */
    boolean claim(String what) throws IOException {
        try {
            Files.write(path.resolve(CLAIM), what.getBytes(StandardCharsets.UTF_8), StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE);
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        }
    }

    /** Whether a dumper has started CRIU here and not yet said how it ended. */
    boolean dumping() throws IOException {
        return read(CLAIM).map(c -> c.startsWith("dumping")).orElse(false) && result().isEmpty();
    }

    void result(String status) throws IOException {
        write(RESULT, status);
    }

    Optional<String> result() throws IOException {
        return read(RESULT);
    }

    /** Written whole or not at all: a reader never sees half a status. */
    private void write(String name, String content) throws IOException {
        Files.createDirectories(path);
        Path temp = path.resolve(name + ".tmp");
        Files.write(temp, content.getBytes(StandardCharsets.UTF_8));
        Files.move(temp, path.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private Optional<String> read(String name) throws IOException {
        try {
            return Optional.of(Files.readString(path.resolve(name), StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /** The first line of a status: {@code ready}, {@code dumped}, {@code failed}. */
    static String kind(String status) {
        int end = status.indexOf('\n');
        return end < 0 ? status.trim() : status.substring(0, end).trim();
    }

    /** What follows the first line: why it failed. */
    static String detail(String status) {
        int end = status.indexOf('\n');
        return end < 0 ? "" : status.substring(end + 1).trim();
    }

    @Override
    public String toString() {
        return path.toString();
    }
}
