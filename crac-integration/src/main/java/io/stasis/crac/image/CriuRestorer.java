package io.stasis.crac.image;

import io.stasis.files.PrivateFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Brings a process back from an image: checks the image and this host before anything is touched,
 * restores with CRIU with the caller's standard output and error in place of the imaged process's,
 * and waits for it. When the image cannot be used, starts the application the ordinary way instead,
 * so that it restores its heap state from its newest snapshot.
 */
public final class CriuRestorer {

    static final String RESTORE_LOG = "criu-restore.log";
    private static final String RESTORED = "Restore finished successfully";
    /**
     * What CRIU logs (at -v3) just before it lets the restored threads go, one by one: from here on
     * the application may have run, so it must not be started a second time. A process that exits
     * at once can make the last detaches fail, and CRIU then reports the restore as failed.
     */
    private static final String RESUMING = "Run late stage hook from criu master";
    /** How long the application may take to end after a SIGTERM forwarded to it (its exit snapshot included). */
    private static final Duration STOP_GRACE = Duration.ofSeconds(20);

    /** Which path the application took, and how it ended. */
    public record Outcome(boolean fromImage, int exitCode, List<String> problems) {
    }

    private CriuRestorer() {
    }

    /**
     * Everything that stands in the way of restoring {@code manifest}'s image here, short of
     * decrypting it and its page files (a {@link PageCheck}); empty when nothing does.
     */
    static List<String> problems(ImageDir dir, ImageManifest manifest, Criu criu) {
        List<String> problems = new ArrayList<>();
        try {
            criu.checkKernel(HostFacts.kernel());
        } catch (ImageException | IOException e) {
            problems.add(e.getMessage());
        }
        try {
            if (!HostFacts.mayCheckpoint()) {
                problems.add("CRIU needs root (or CAP_CHECKPOINT_RESTORE) to restore; run this command as root");
            }
            Path libjvm = Path.of(manifest.jdk().libjvm());
            if (!Files.exists(libjvm)) {
                problems.add("the JDK the image was taken with is not here (" + libjvm + ")");
            } else if (!HostFacts.crc32c(libjvm).equals(manifest.jdk().libjvmCrc32c())) {
                problems.add("a different JDK build is installed at " + manifest.jdk().home() + " than the image was taken with ("
                        + manifest.jdk().version() + ")");
            }
            ImageManifest.Cpu cpu = HostFacts.cpu();
            Set<String> missing = new HashSet<>(manifest.cpu().flags());
            missing.removeAll(cpu.flags());
            if (!missing.isEmpty()) {
                problems.add("this CPU (" + cpu.model() + ") lacks features the imaged JVM may use: "
                        + String.join(" ", new TreeSet<>(missing)));
            }
            if (manifest.encryption() == null) {
                problems.addAll(parsedFileProblems(manifest, dir.path()));
            } else {
                problems.addAll(sealedFileProblems(dir, manifest));
            }
        } catch (IOException | RuntimeException e) {
            problems.add("the image or this host cannot be inspected: " + e.getMessage());
        }
        return problems;
    }

    /**
     * Each sealed file that is missing or differs from the digest the authenticated manifest holds:
     * checked before the decryptor reads a byte of it.
     */
    private static List<String> sealedFileProblems(ImageDir dir, ImageManifest manifest) throws IOException {
        List<String> problems = new ArrayList<>();
        List<Path> present = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        for (ImageManifest.ImageFile file : manifest.files()) {
            List<String> stored = manifest.storedNames(file);
            for (int i = 0; i < stored.size(); i++) {
                Path path = dir.path().resolve(stored.get(i));
                if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
                    problems.add("image file " + stored.get(i) + " is missing");
                    continue;
                }
                PrivateFiles.checkFile(path);
                present.add(path);
                expected.add(file.sealed().get(i));
            }
        }
        List<String> digests = FileDigests.ofWholeFiles(present);
        for (int i = 0; i < present.size(); i++) {
            if (!digests.get(i).equals(expected.get(i))) {
                problems.add("image file " + present.get(i).getFileName() + " is damaged (its checksum differs)");
            }
        }
        return problems;
    }

    /** What is wrong with the plain files in {@code images} that CRIU parses: all but the page files. */
    private static List<String> parsedFileProblems(ImageManifest manifest, Path images) throws IOException {
        Predicate<String> parsed = Predicate.not(PageCheck::holdsPages);
        return fileProblems(manifest, ImageManifest.filesIn(images, manifest.format(), parsed), parsed);
    }

    /**
     * Each of CRIU's files whose name passes {@code which} that is missing from what was
     * {@code found}, or differs from what the manifest says.
     */
    static List<String> fileProblems(ImageManifest manifest, List<ImageManifest.ImageFile> found,
                                     Predicate<String> which) {
        Map<String, ImageManifest.ImageFile> byName = new HashMap<>();
        found.forEach(file -> byName.put(file.name(), file));
        List<String> problems = new ArrayList<>();
        for (ImageManifest.ImageFile file : manifest.files()) {
            if (!which.test(file.name())) {
                continue;
            }
            ImageManifest.ImageFile actual = byName.get(file.name());
            if (actual == null) {
                problems.add("image file " + file.name() + " is missing");
            } else if (!actual.sameAs(file)) {
                problems.add("image file " + file.name() + " is damaged (its checksum differs)");
            }
        }
        return problems;
    }

    /**
     * Restores the image in {@code dir} and waits for the restored process to end; or, when the
     * image cannot be used and {@code fallback} is set, starts the application normally.
     *
     * @param cipher what opens an encrypted image, or {@code null}; an encrypted image, even its
     *               manifest and so the fallback, needs it
     * @param auth   the key the image must be authenticated by: without that, nothing in it is used
     *               and nothing is run, the fallback included
     */
    public static Outcome restore(ImageDir dir, boolean fallback, ImageCipher cipher, ImageAuth auth,
                                  Consumer<String> progress) throws ImageException {
        long start = System.nanoTime();
        awaitDump(dir, progress);
        ImageManifest manifest = ImageManifest.read(dir, cipher, auth);
        if (manifest.encryption() != null) {
            MemoryStaging.removeAbandoned();
        }
        List<String> busy = ProcessIds.inUse(manifest);
        if (!busy.isEmpty()) {
            // Passing: a fallback now would start the application without the state the image holds.
            throw new ImageException("the image in " + dir + " cannot be restored now, and is kept:\n  "
                    + String.join("\n  ", busy) + "\nrun restore-image again once those ids are free");
        }
        List<String> problems;
        Criu criu = null;
        // A plain image's pages are hashed from now on, beside the other checks and CRIU's restore.
        PageCheck plainPages = manifest.encryption() == null ? PageCheck.start(dir.path(), manifest) : null;
        try {
            criu = Criu.locate();
            problems = problems(dir, manifest, criu);
        } catch (ImageException e) {
            problems = List.of(e.getMessage());
        }
        if (problems.isEmpty()) {
            // Encrypted, the plain image exists only in memory-backed storage, and only until CRIU has read it.
            try (MemoryStaging staging = manifest.encryption() == null ? null : MemoryStaging.create(manifest.bytes())) {
                problems = staging == null ? List.of() : open(manifest, dir, staging, cipher, progress);
                if (problems.isEmpty()) {
                    PageCheck pages = staging == null ? plainPages : PageCheck.ofVerifiedSealedFiles();
                    progress.accept(String.format("checked the image and this host in %d ms; restoring with CRIU %s%s",
                            (System.nanoTime() - start) / 1_000_000, criu.version(),
                            staging == null ? " while the page files are checked" : ""));
                    Path log = workDir(dir).resolve(RESTORE_LOG);
                    Outcome outcome = runCriu(dir, log, staging, manifest, criu, pages, progress);
                    if (outcome.fromImage()) {
                        return outcome;
                    }
                    problems = outcome.problems().isEmpty() ? pages.problems() : outcome.problems();
                }
            } catch (ImageException | RuntimeException e) {
                problems = List.of(String.valueOf(e.getMessage()));
            }
        }
        if (!fallback) {
            throw new ImageException("the image in " + dir + " cannot be used:\n  " + String.join("\n  ", problems));
        }
        List<String> command = Fallback.command(manifest.application(), PrivateFiles.uid());
        progress.accept("the image in " + dir + " cannot be used:\n  " + String.join("\n  ", problems)
                + "\nstarting the application normally; it restores its state from its newest snapshot: "
                + String.join(" ", command));
        Process application;
        try {
            application = new ProcessBuilder(command).directory(Path.of(manifest.application().workingDirectory()).toFile())
                    .inheritIO().start();
        } catch (IOException e) {
            throw new ImageException("cannot start " + command.get(0) + ": " + e.getMessage(), e);
        }
        try (StopForwarding forwarding = new StopForwarding(application, application::toHandle)) {
            return new Outcome(false, waitFor(application, command.get(0)), problems);
        }
    }

    /** Whether CRIU had begun to let the restored process run, by its log. */
    static boolean mayHaveRun(String criuLog) {
        return criuLog.contains(RESUMING) || criuLog.contains(RESTORED);
    }

    /** A new private directory for CRIU's log and work files: never one someone else prepared. */
    private static Path workDir(ImageDir dir) throws ImageException {
        try {
            return dir.criuWorkDir("restore");
        } catch (IOException e) {
            throw new ImageException("cannot make a private directory for CRIU's log in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** An image the process asked for is complete a moment after the process has gone: wait for it. */
    private static void awaitDump(ImageDir dir, Consumer<String> progress) throws ImageException {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        try {
            if (dir.dumping()) {
                progress.accept("the image in " + dir + " is still being written; waiting for it");
            }
            while (dir.dumping()) {
                OptionalLong dumper = dir.dumper();
                if (dumper.isPresent() && ProcessHandle.of(dumper.getAsLong()).isEmpty() && dir.dumping()) {
                    throw new ImageException("the dumper of the image in " + dir + " (process " + dumper.getAsLong()
                            + ") ended before it was complete");
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new ImageException("the image in " + dir + " was not completed within 2 minutes");
                }
                Thread.sleep(10);
            }
        } catch (IOException e) {
            throw new ImageException("cannot read " + dir + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ImageException("interrupted while waiting for the image in " + dir, e);
        }
    }

    /** Decrypts the image into {@code staging} and checks what came out; the problems, if any. */
    private static List<String> open(ImageManifest manifest, ImageDir dir, MemoryStaging staging, ImageCipher cipher,
                                     Consumer<String> progress) {
        progress.accept(String.format("decrypting the image (%d files, %.1f MB) into %s", manifest.files().size(),
                manifest.bytes() / 1e6, staging));
        try {
            SealedFiles.open(manifest, dir, staging.path(), cipher);
            return parsedFileProblems(manifest, staging.path());
        } catch (IOException e) {
            return List.of(e.getMessage());
        }
    }

    /**
     * Runs {@code criu restore}, lets the restored processes go once {@code pages} has passed, and
     * waits for them to end. A decrypted image in {@code staging} is removed as soon as CRIU no
     * longer reads it.
     *
     * @return how the restored process ended; or, not from the image and without problems, that the
     *         page check failed and the restored processes were killed before they ran: the
     *         fallback may start the application
     */
    private static Outcome runCriu(ImageDir dir, Path log, MemoryStaging staging, ImageManifest manifest, Criu criu,
                                   PageCheck pages, Consumer<String> progress) throws ImageException {
        Path images = staging == null ? dir.path() : staging.path();
        List<String> arguments = new ArrayList<>(List.of("restore", "--images-dir", images.toString(), "--work-dir",
                log.getParent().toString(), "--shell-job", "--file-locks", "--tcp-close", "--leave-stopped",
                "--log-file", RESTORE_LOG, "-v3")); // -v3: the log says when the restore succeeded
        // Output and error only: CRIU's --shell-job keeps its own standard input for the terminal.
        List<String> streams = manifest.standardStreams();
        for (int fd = 1; fd < streams.size(); fd++) {
            String key = inheritKey(streams.get(fd));
            if (key != null) {
                arguments.add("--inherit-fd");
                arguments.add("fd[" + fd + "]:" + key);
            }
        }
        long start = System.nanoTime();
        Process restore;
        try {
            restore = new ProcessBuilder(criu.command(arguments)).inheritIO().start();
        } catch (IOException e) {
            throw new ImageException("cannot start criu restore: " + e.getMessage(), e);
        }
        // Once restored, the application is CRIU's child with its old PID; until then, CRIU itself.
        Supplier<ProcessHandle> running = () -> restore.descendants().filter(p -> p.pid() == manifest.pid())
                .findFirst().orElse(restore.toHandle());
        try (StopForwarding forwarding = new StopForwarding(restore, running)) {
            boolean restored = false;
            try {
                restored = awaitRestored(restore, log);
            } catch (IOException e) {
                // the log cannot be followed: CRIU's exit and its log tell below
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            List<String> damaged = pages.problems();
            if (staging != null) {
                staging.close(); // CRIU has read the decrypted image
            }
            if (restored || mayHaveRun(Criu.readLogTail(log, Integer.MAX_VALUE))) {
                // Stopped, the restored processes have run nothing of the image: let them go, or kill them.
                List<Long> processes = ProcessIds.processesOf(manifest);
                List<String> unreleased = damaged.isEmpty() ? resume(processes) : damaged;
                if (!unreleased.isEmpty()) {
                    processes.forEach(id -> ProcessHandle.of(id).ifPresent(ProcessHandle::destroyForcibly));
                    waitFor(restore, "criu restore");
                    return new Outcome(false, 1, damaged.isEmpty() ? unreleased : List.of());
                }
                progress.accept(String.format("restored%s in %d ms; the process runs",
                        staging == null ? " and checked the page files" : "",
                        (System.nanoTime() - start) / 1_000_000));
            }
            int exit = waitFor(restore, "criu restore");
            String logText = Criu.readLogTail(log, Integer.MAX_VALUE);
            if (logText.contains(RESTORED)) {
                return new Outcome(true, exit, List.of());
            }
            if (mayHaveRun(logText) && damaged.isEmpty()) {
                List<String> what = List.of("criu restore reported a failure (exit " + exit + ") after the "
                        + "restored process had started running; the end of " + log + ":\n" + Criu.logErrors(log));
                progress.accept(what.get(0) + "\nthe application is not started a second time: it may have "
                        + "done its work, or been stopped by CRIU part-way; its state is in its newest snapshot");
                return new Outcome(true, exit == 0 ? 1 : exit, what);
            }
            return new Outcome(false, exit, List.of("criu restore failed (exit " + exit + "); the end of " + log
                    + ":\n" + Criu.logErrors(log)));
        }
    }

    /** Lets the stopped {@code processes} go on; what went wrong, if anything (they are then still stopped). */
    private static List<String> resume(List<Long> processes) {
        try {
            PageCheck.resume(processes);
            return List.of();
        } catch (ImageException e) {
            return List.of(e.getMessage());
        }
    }

    /**
     * Returns once CRIU's log says the restore finished (the image is no longer read), true; or
     * CRIU has exited without it, false.
     */
    private static boolean awaitRestored(Process restore, Path log) throws IOException, InterruptedException {
        long position = 0;
        String carry = "";
        while (restore.isAlive()) {
            if (Files.exists(log)) {
                try (FileChannel channel = FileChannel.open(log)) {
                    ByteBuffer chunk = ByteBuffer.allocate((int) Math.min(Math.max(channel.size() - position, 0), 1 << 20));
                    channel.read(chunk, position);
                    position += chunk.position();
                    String text = carry + new String(chunk.array(), 0, chunk.position(), StandardCharsets.ISO_8859_1);
                    if (text.contains(RESTORED)) {
                        return true;
                    }
                    carry = text.substring(Math.max(0, text.length() - RESTORED.length()));
                }
            }
            Thread.sleep(10);
        }
        return false;
    }

    /**
     * How CRIU names an external resource for {@code --inherit-fd}: pipes and sockets by their
     * {@code type:[inode]}, files by their path without the leading slash. Terminals and
     * {@code /dev/null} need nothing: {@code --shell-job} reconnects the one, the other is the same
     * everywhere.
     */
    static String inheritKey(String stream) {
        if (stream.startsWith("pipe:[") || stream.startsWith("socket:[")) {
            return stream;
        }
        if (stream.startsWith("/") && !stream.startsWith("/dev/")) {
            return stream.substring(1);
        }
        return null;
    }

    /**
     * While open, a SIGTERM (or Ctrl-C) to this command reaches {@code running} too, which then has
     * {@link #STOP_GRACE} to end before it is killed: nothing is left running, orphaned, holding the
     * application's port.
     */
    private static final class StopForwarding implements AutoCloseable {
        private final Thread hook;

        StopForwarding(Process process, Supplier<ProcessHandle> running) {
            hook = new Thread(() -> stop(running.get()), "stasis-stop-" + process.pid());
            Runtime.getRuntime().addShutdownHook(hook);
        }

        @Override
        public void close() {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // shutting down: the hook is running
            }
        }
    }

    private static int waitFor(Process process, String what) throws ImageException {
        try {
            return process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ImageException("interrupted while " + what + " ran", e);
        }
    }

    private static void stop(ProcessHandle process) {
        process.destroy();
        try {
            process.onExit().get(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
