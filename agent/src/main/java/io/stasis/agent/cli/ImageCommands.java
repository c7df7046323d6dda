package io.stasis.agent.cli;

import com.sun.tools.attach.VirtualMachine;
import io.stasis.agent.internal.AgentJar;
import io.stasis.agent.internal.image.ImageRequest;
import io.stasis.crac.image.CriuDumper;
import io.stasis.crac.image.CriuRestorer;
import io.stasis.crac.image.ImageAuth;
import io.stasis.crac.image.ImageDir;
import io.stasis.crac.image.ImageManifest;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The full-process image commands: {@code image PID} and {@code restore-image DIR}. */
final class ImageCommands {

    private ImageCommands() {
    }

    @Command(name = "image", mixinStandardHelpOptions = true,
            description = {"Take a full-process image of a running JVM with CRIU (any JDK on Linux).",
                "Attaches to PID (loading the agent if it is not there), lets the agent and the application's "
                        + "org.crac Resources prepare (beforeCheckpoint), dumps the process with CRIU from outside it, "
                        + "and writes a manifest beside the image. The process then exits, or with --leave-running "
                        + "carries on (its Resources get afterRestore).",
                "The manifest, which names the SHA-256 of every image file, is authenticated with the secret key "
                        + "--auth-key (made on first use); restore-image trusts only images that key authenticates. "
                        + "DIR is 0700 and every file in it 0600.",
                "With --recipient or --recipients-file, every image file is encrypted (age, as forensics bundles): "
                        + "CRIU writes to memory-backed storage (/dev/shm/stasis-UID) and only encrypted files reach DIR.",
                "Start the JVM in a session of its own (setsid). Needs root (or "
                        + "CAP_CHECKPOINT_RESTORE) and CRIU 4.2 or later (4.1 can do without sockets; older CRIU not on kernels from 6.13) "
                        + "(crac-integration/scripts/install-criu.sh)."})
    static final class Image implements Callable<Integer> {
        @Parameters(paramLabel = "PID", description = "The process id of the JVM.")
        long pid;
        @Option(names = "--dir", required = true, paramLabel = "DIR",
                description = "Where to write the image: a new or empty directory.")
        Path dir;
        @Option(names = "--leave-running", description = "Let the process carry on after the dump.")
        boolean leaveRunning;
        @Option(names = "--timeout", defaultValue = "60", paramLabel = "SECONDS",
                description = "How long the JVM may take to get ready (its Resources, units of work in flight). "
                        + "Default: ${DEFAULT-VALUE}")
        long timeoutSeconds;
        @Option(names = {"-r", "--recipient"}, paramLabel = "age1...",
                description = "Encrypt the image to this age X25519 public key (from keygen or age-keygen); repeatable.")
        List<String> recipients = new ArrayList<>();
        @Option(names = {"-R", "--recipients-file"}, paramLabel = "FILE",
                description = "Encrypt the image to the public keys in FILE, one per line (as age -R reads them).")
        Path recipientsFile;
        @Option(names = "--auth-key", paramLabel = "FILE",
                description = {"The secret key that authenticates the image (made, 32 random bytes, mode 0600, if "
                        + "missing); restore-image needs the same one.", "Default: ~/.config/stasis/image-auth.key"})
        Path authKey = ImageAuth.DEFAULT_KEY;
        @Option(names = "--prepared", hidden = true,
                description = "The JVM asked for its own image (Core.checkpointRestore) and is ready: do not attach.")
        boolean prepared;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            ImageDir image = new ImageDir(dir);
            CriuDumper dumper = CriuDumper.preflight(pid, image, prepared,
                    AgeImageCipher.toRecipients(recipients, recipientsFile), ImageAuth.loadOrCreate(authKey), line -> {
                out.println(line);
                out.flush();
            });
            if (!prepared) {
                attach(image);
            }
            long start = System.nanoTime();
            ImageManifest manifest = dumper.dump(pid, image, leaveRunning, Duration.ofSeconds(timeoutSeconds));
            out.printf("image of process %d written to %s: %d files, %.1f MB%s, in %d ms; %s%n", pid, image.path(),
                    manifest.files().size(), manifest.bytes() / 1e6,
                    manifest.liveHeapBytes() == null ? ""
                            : String.format(" (live heap after a collection: %.1f MB)", manifest.liveHeapBytes() / 1e6),
                    (System.nanoTime() - start) / 1_000_000,
                    leaveRunning ? "the process carries on" : "the process has exited; restore-image brings it back");
            out.flush();
            return 0;
        }

        private void attach(ImageDir image) throws IOException {
            VirtualMachine vm = Attach.to(pid);
            try {
                vm.loadAgent(AgentJar.path().toString(),
                        new ImageRequest(image.path(), Duration.ofSeconds(timeoutSeconds)).toString());
            } catch (Exception e) {
                throw new IOException("the agent in process " + pid + " refused the image request: " + e.getMessage(), e);
            } finally {
                vm.detach();
            }
        }
    }

    @Command(name = "restore-image", mixinStandardHelpOptions = true,
            description = {"Bring a process back from an image taken with 'image', and wait for it.",
                "Checks the image (checksums) and this host (CRIU, privileges, free PID, the same JDK build, CPU "
                        + "features) first. The restored process writes to this command's standard output and error "
                        + "and runs its Resources' afterRestore once; this command waits for it and exits 0 (CRIU does "
                        + "not pass the process's own status on).",
                "The image must be authenticated by the key it was taken with (--auth-key) and DIR must be this "
                        + "user's and not writable by others; otherwise it is refused and nothing is run.",
                "If the image cannot be used, the application is started normally instead (its command line is in "
                        + "the image's manifest), as the user that ran it, and restores its state from its newest "
                        + "snapshot, and its exit status becomes this command's; --no-fallback fails instead.",
                "An encrypted image is decrypted into memory-backed storage (/dev/shm), only until CRIU has read it."})
    static final class RestoreImage implements Callable<Integer> {
        @Parameters(paramLabel = "DIR", description = "The image directory.")
        Path dir;
        @Option(names = "--no-fallback", description = "Fail instead of starting the application normally.")
        boolean noFallback;
        @Option(names = {"-i", "--identity"}, paramLabel = "KEYFILE",
                description = "The private key that opens an encrypted image (from keygen or age-keygen).")
        Path identity;
        @Option(names = "--auth-key", paramLabel = "FILE",
                description = {"The secret key the image was taken with (image --auth-key); an image it does not "
                        + "authenticate is refused and nothing is run.", "Default: ~/.config/stasis/image-auth.key"})
        Path authKey = ImageAuth.DEFAULT_KEY;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            PrintWriter err = spec.commandLine().getErr();
            CriuRestorer.Outcome outcome = CriuRestorer.restore(new ImageDir(dir), !noFallback,
                    AgeImageCipher.withIdentity(identity), ImageAuth.load(authKey), line -> {
                err.println("[stasis] " + line);
                err.flush();
            });
            return outcome.exitCode();
        }
    }
}
