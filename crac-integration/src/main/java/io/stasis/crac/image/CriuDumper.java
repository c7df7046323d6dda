package io.stasis.crac.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The dumper: runs outside the JVM's process tree (CRIU cannot dump its own ancestor), waits for
 * the JVM to say its Resources are ready, dumps it with CRIU, and describes the image.
 */
public final class CriuDumper {

    static final String DUMP_LOG = "criu-dump.log";

    private final Criu criu;
    private final ImageCipher cipher;
    private final ImageAuth auth;
    private final Consumer<String> progress;

    private CriuDumper(Criu criu, ImageCipher cipher, ImageAuth auth, Consumer<String> progress) {
        this.criu = criu;
        this.cipher = cipher;
        this.auth = auth;
        this.progress = progress;
    }

    /**
     * Everything that can be checked before the JVM is asked for anything: CRIU, privileges, the
     * process, the directory.
     *
     * @param requested whether the process asked for the image itself, and has prepared {@code dir}
     * @param cipher    what to seal the image's files with, or {@code null} to leave them as CRIU writes them
     * @param auth      the key that authenticates the image ({@code --auth-key})
     */
    public static CriuDumper preflight(long pid, ImageDir dir, boolean requested, ImageCipher cipher, ImageAuth auth,
                                       Consumer<String> progress) throws ImageException {
        try {
            return new CriuDumper(check(pid, dir, requested, cipher), cipher, auth, progress);
        } catch (ImageException e) {
            if (requested) {
                // The process waits in dir for the outcome: it hears why at once, not after its timeout.
                try {
                    dir.result(ImageDir.FAILED + "\n" + e.getMessage());
                } catch (IOException unwritable) {
                    e.addSuppressed(unwritable);
                }
            }
            throw e;
        }
    }

    private static Criu check(long pid, ImageDir dir, boolean requested, ImageCipher cipher) throws ImageException {
        Criu criu = Criu.locate();
        try {
            criu.checkKernel(HostFacts.kernel());
            if (!HostFacts.mayCheckpoint()) {
                throw new ImageException("CRIU needs root (or CAP_CHECKPOINT_RESTORE); run this command as root");
            }
            if (!Files.isDirectory(Path.of("/proc/" + pid))) {
                throw new ImageException("no process " + pid);
            }
            HostFacts.jdkOf(pid);
            if (HostFacts.stat(Long.toString(pid), HostFacts.STAT_SESSION) == 0) {
                // Session 0: the leader lives in an outer PID namespace, where CRIU cannot follow it.
                throw new ImageException("process " + pid + " belongs to a session whose leader is outside its PID "
                        + "namespace, which CRIU cannot image; start the application in a session of its own "
                        + "(setsid java ...)");
            }
            if (!requested && dir.inUse()) {
                throw new ImageException(dir + " is not empty; images are never overwritten: name a new directory");
            }
            if (cipher != null) {
                MemoryStaging.checkAvailable(0);
            }
        } catch (IOException e) {
            throw new ImageException("cannot inspect process " + pid + ": " + e.getMessage(), e);
        }
        return criu;
    }

    /**
     * Waits for the JVM to be ready, dumps it, and writes the manifest.
     *
     * @param prepareTimeout how long the JVM's Resources may take to get ready
     */
    public ImageManifest dump(long pid, ImageDir dir, boolean leaveRunning, Duration prepareTimeout)
            throws ImageException {
        try {
            dir.shareWith(HostFacts.userOf(pid).uid());
            Long liveHeap = awaitPrepared(pid, dir, prepareTimeout);
            if (!dir.claimDump()) {
                throw new ImageException("process " + pid + " stopped waiting for the dump; nothing was imaged");
            }
            try {
                dir.takeOver();
            } catch (IOException e) {
                dir.result(ImageDir.FAILED + "\n" + e.getMessage());
                throw e;
            }
            ImageManifest.Application application = HostFacts.applicationOf(pid);
            ImageManifest.Jdk jdk = HostFacts.jdkOf(pid);
            List<String> streams = HostFacts.standardStreamsOf(pid);
            // Encrypted, CRIU writes to memory-backed storage and only sealed files reach the directory.
            try (MemoryStaging staging = cipher == null ? null : staging(dir)) {
                Path images = staging == null ? dir.path() : staging.path();
                Path work = dir.criuWorkDir("dump");
                Path log = work.resolve(DUMP_LOG);
                // --tcp-close: connections clients had open come back closed, and they reconnect as after
                // any restart of a server; its listening sockets come back as they were. Keeping them
                // (--tcp-established) would block the network for the whole dump.
                List<String> arguments = new ArrayList<>(List.of("dump", "--tree", Long.toString(pid), "--images-dir",
                        images.toString(), "--work-dir", work.toString(), "--shell-job", "--file-locks", "--tcp-close",
                        "--log-file", DUMP_LOG, "-v2"));
                if (leaveRunning) {
                    arguments.add("--leave-running");
                }
                progress.accept("dumping process " + pid + " with CRIU " + criu.version()
                        + (leaveRunning ? " (it carries on afterwards)" : " (it exits afterwards)"));
                long start = System.nanoTime();
                Processes.Result result = Processes.run(criu.command(arguments), ImageDir.DUMP_BOUND);
                if (result.exitCode() != 0) {
                    String why = "criu dump failed (exit " + result.exitCode() + "); the end of " + log + ":\n"
                            + Criu.logErrors(log);
                    if (staging == null) {
                        dir.removeImageFiles(); // the process's memory in the clear, and no image
                    }
                    dir.result(ImageDir.FAILED + "\n" + why);
                    throw new ImageException(why);
                }
                progress.accept(String.format("dumped in %d ms; describing the image",
                        (System.nanoTime() - start) / 1_000_000));
                ImageManifest manifest = ImageManifest.describe(images, pid, leaveRunning, application, streams, jdk,
                        criu.version(), cipher == null ? null : cipher.format(),
                        cipher == null ? null : SealedFiles.SEGMENT_BYTES, liveHeap);
                if (cipher != null) {
                    progress.accept(String.format("encrypting %d files (%.1f MB) with %s", manifest.files().size(),
                            manifest.bytes() / 1e6, cipher.format()));
                    manifest = manifest.withSealed(sealOrFail(manifest, images, dir));
                }
                manifest.write(dir, cipher, auth);
                dir.result(ImageDir.DUMPED);
                if (!leaveRunning) {
                    awaitGone(pid);
                }
                return manifest;
            }
        } catch (IOException e) {
            ImageException failed = new ImageException("the image in " + dir + " could not be completed: "
                    + e.getMessage(), e);
            abandon(dir, failed);
            throw failed;
        }
    }

    /**
     * After a failure past the claim: the JVM hears why at once, and a plain image without its
     * manifest (unusable, and the process's memory in the clear) is removed.
     */
    private void abandon(ImageDir dir, ImageException failure) {
        try {
            if (dir.dumping()) {
                dir.result(ImageDir.FAILED + "\n" + failure.getMessage());
            }
            if (cipher == null && Files.isDirectory(dir.path()) && !Files.exists(dir.manifest())) {
                dir.removeImageFiles();
            }
        } catch (IOException | RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    /** Staging for the plain image; the JVM waiting in {@code dir} hears at once if there is none. */
    private static MemoryStaging staging(ImageDir dir) throws ImageException, IOException {
        try {
            return MemoryStaging.create(0);
        } catch (ImageException e) {
            dir.result(ImageDir.FAILED + "\n" + e.getMessage());
            throw e;
        }
    }

    private Map<String, String> sealOrFail(ImageManifest manifest, Path images, ImageDir dir) throws IOException {
        try {
            return SealedFiles.seal(manifest, images, dir, cipher);
        } catch (IOException e) {
            dir.result(ImageDir.FAILED + "\n" + e.getMessage());
            throw e;
        }
    }

    /** CRIU has killed the process; its PID is free for a restore once it has been reaped. */
    /** The second line of a ready process's detail (its PID, then its live heap), read as the untrusted text it is. */
    private static Long liveHeap(String detail) {
        String[] lines = detail.split("\n");
        try {
            long bytes = lines.length < 2 ? -1 : Long.parseLong(lines[1].trim());
            return bytes >= 0 ? bytes : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static void awaitGone(long pid) throws ImageException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (Files.isDirectory(Path.of("/proc/" + pid)) && System.nanoTime() - deadline < 0) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ImageException("interrupted while process " + pid + " exited");
            }
        }
    }

    /** Waits for the process to be ready; returns the live heap it reported after its collection, or {@code null}. */
    private Long awaitPrepared(long pid, ImageDir dir, Duration timeout) throws IOException, ImageException {
        long deadline = System.nanoTime() + timeout.toNanos();
        progress.accept("waiting for process " + pid + " to get its Resources ready");
        while (true) {
            Optional<String> prepared = dir.prepared();
            if (prepared.isPresent()) {
                if (ImageDir.kind(prepared.get()).equals(ImageDir.READY)) {
                    return liveHeap(ImageDir.detail(prepared.get()));
                }
                throw new ImageException("process " + pid + " refused the checkpoint: "
                        + ImageDir.detail(prepared.get()) + "\nnothing was imaged; it carries on");
            }
            if (!Files.isDirectory(Path.of("/proc/" + pid))) {
                throw new ImageException("process " + pid + " exited before it was imaged");
            }
            if (System.nanoTime() - deadline > 0) {
                if (dir.claim("timed out")) {
                    dir.result(ImageDir.FAILED + "\nthe dumper stopped waiting after " + timeout.toSeconds() + " s");
                }
                throw new ImageException("process " + pid + " did not get ready within " + timeout.toSeconds()
                        + " s (its Resources, or units of work that did not finish); nothing was imaged");
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ImageException("interrupted while waiting for process " + pid);
            }
        }
    }
}
