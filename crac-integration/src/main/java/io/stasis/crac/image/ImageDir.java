package io.stasis.crac.image;

import io.stasis.files.PrivateFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * An image directory: CRIU's image files (or, encrypted, {@code NAME.img.age}), {@value #MANIFEST} beside them, and three small files
 * through which the JVM being imaged and the dumper outside it agree on what happens:
 * <ol>
 *   <li>{@value #PREPARED}: the JVM has notified its Resources ({@code ready}) or could not
 *       ({@code failed} and why);</li>
 *   <li>{@value #CLAIM}: created exclusively, by the dumper as it starts CRIU ({@code dumping} and its
 *       PID, so that the JVM notices if it dies) or by the JVM when it stops waiting
 *       ({@code abandoned}); whoever creates it decides;</li>
 *   <li>{@value #RESULT}: the dumper's outcome ({@code dumped} or {@code failed} and why).</li>
 * </ol>
 * The JVM never holds a file here open, so none of them is part of the image. The directory is
 * private ({@code 0700}, every file {@code 0600}): an image holds the process's memory.
 */
public final class ImageDir {

    public static final String MANIFEST = "stasis-image.json";
    static final String PREPARED = ".stasis-prepared";
    static final String CLAIM = ".stasis-claim";
    static final String RESULT = ".stasis-result";
    static final String READY = "ready";
    static final String DUMPED = "dumped";
    static final String FAILED = "failed";
    static final String DUMPING = "dumping";
    /** The MAC of the manifest, by the operator's {@link ImageAuth} key. */
    static final String MAC = MANIFEST + ".mac";
    /**
     * How long a dump may take, CRIU's run and the dumper's work around it, before the JVM stops
     * waiting for it and the dumper stops CRIU. CRIU freezes the JVM while it dumps.
     */
    static final Duration DUMP_BOUND = Duration.ofMinutes(10);

    private final Path path;
    /**
     * The imaged JVM's user, when the dumper runs as another (root imaging an application's JVM):
     * the JVM must still read the claim and the result, so they are given to it.
     */
    private volatile int reader = -1;

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
                        || name.endsWith(".log") || name.startsWith(CRIU_WORK)) {
                    PrivateFiles.deleteTree(file);
                }
            }
        }
    }

    /** Where CRIU writes its log and work files: made new and private ({@code 0700}) for each run. */
    static final String CRIU_WORK = "criu-";

    /**
     * A new private directory for one CRIU run ({@code criu-dump}, {@code criu-restore}) in this
     * directory, the previous one removed (without following links): never a path someone else
     * could have prepared.
     */
    Path criuWorkDir(String what) throws IOException {
        Path work = path.resolve(CRIU_WORK + what);
        PrivateFiles.deleteTree(work);
        return Files.createDirectory(work, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }

    /** The imaged JVM runs as {@code uid}: if that is not this process's user, it gets the claim and result. */
    void shareWith(long uid) {
        reader = uid == PrivateFiles.uid() ? -1 : (int) uid;
    }

    /**
     * Makes a directory the imaged JVM created (as another user) this dumper's own, and removes
     * what that user may have put there besides the control files: CRIU must not write through a
     * link it planted. That user may still pass through it ({@code 0711}) to read the result given
     * to it; it can neither list nor change anything.
     */
    void takeOver() throws IOException {
        if (!Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(path + " is not a directory (a link?): name a directory");
        }
        int owner = (Integer) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        if (owner != PrivateFiles.uid()) {
            Files.setAttribute(path, "unix:uid", PrivateFiles.uid(), LinkOption.NOFOLLOW_LINKS);
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(reader >= 0 ? "rwx--x--x" : "rwx------"));
            try (var entries = Files.list(path)) {
                for (Path entry : entries.toList()) {
                    if (!entry.getFileName().toString().startsWith(".stasis-")) {
                        PrivateFiles.deleteTree(entry);
                    }
                }
            }
        }
        PrivateFiles.checkDirectory(path);
    }

    /** Removes the plain image files CRIU left after a failed dump: a process's memory in the clear. */
    void removeImageFiles() throws IOException {
        try (var entries = Files.list(path)) {
            for (Path file : entries.toList()) {
                if (file.getFileName().toString().endsWith(".img")) {
                    PrivateFiles.deleteTree(file);
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
            PrivateFiles.writeNew(path.resolve(CLAIM), what.getBytes(StandardCharsets.UTF_8));
            giveToReader(path.resolve(CLAIM));
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        }
    }

    /** The dumper's claim: it starts CRIU, and this is its PID in this PID namespace. */
    boolean claimDump() throws IOException {
        return claim(DUMPING + "\n" + ProcessHandle.current().pid() + " " + pidNamespace());
    }

    /** Whether a dumper has started CRIU here and not yet said how it ended. */
    boolean dumping() throws IOException {
        return read(CLAIM).map(c -> c.startsWith(DUMPING)).orElse(false) && result().isEmpty();
    }

    /**
     * The PID of the dumper that claimed the dump, if one did and runs in this process's PID
     * namespace (from another, its PID means nothing here).
     */
    OptionalLong dumper() throws IOException {
        Optional<String> claim = read(CLAIM);
        if (claim.isEmpty() || !kind(claim.get()).equals(DUMPING)) {
            return OptionalLong.empty();
        }
        String[] fields = detail(claim.get()).split(" ");
        try {
            return fields.length == 2 && fields[1].equals(pidNamespace()) ? OptionalLong.of(Long.parseLong(fields[0]))
                    : OptionalLong.empty();
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    private static String pidNamespace() {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString().replace(' ', '_');
        } catch (IOException | UnsupportedOperationException e) {
            return "unknown";
        }
    }

    void result(String status) throws IOException {
        write(RESULT, status);
    }

    Optional<String> result() throws IOException {
        return read(RESULT);
    }

    /** Written whole or not at all: a reader never sees half a status. */
    private void write(String name, String content) throws IOException {
        PrivateFiles.directory(path);
        Path temp = path.resolve(name + ".tmp");
        Files.deleteIfExists(temp);
        PrivateFiles.writeNew(temp, content.getBytes(StandardCharsets.UTF_8));
        giveToReader(temp);
        Files.move(temp, path.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private void giveToReader(Path file) throws IOException {
        if (reader >= 0) {
            Files.setAttribute(file, "unix:uid", reader, LinkOption.NOFOLLOW_LINKS);
        }
    }

    /** Writes {@code file} whole or not at all, as a new private file: never through a link. */
    static void replace(Path file, byte[] content) throws IOException {
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(temp);
        PrivateFiles.writeNew(temp, content);
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private Optional<String> read(String name) throws IOException {
        try {
            return Optional.of(Files.readString(path.resolve(name), StandardCharsets.UTF_8));
        } catch (NoSuchFileException | AccessDeniedException e) {
            // denied: the dumper, another user, has made it and is about to give it to this one
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
