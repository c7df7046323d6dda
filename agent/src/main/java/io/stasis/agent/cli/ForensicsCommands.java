package io.stasis.agent.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stasis.agent.internal.capture.AttachRequest;
import io.stasis.agent.internal.store.Root;
import io.stasis.forensics.AgeKeys;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The forensics commands: {@code keygen}, {@code decrypt}, {@code incident PID}. */
final class ForensicsCommands {

    private ForensicsCommands() {
    }

    /** A new file that only its owner can read; an existing one is never overwritten. */
    static FileChannel createPrivate(Path file) throws IOException {
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            return FileChannel.open(file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        return FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    }

    @Command(name = "keygen", mixinStandardHelpOptions = true,
            description = {"Make an age X25519 key pair for forensics bundles and encrypted images.",
                "The private key file (mode 0600) is for the operator who reads bundles and does not belong on the "
                        + "hosts that write them; give the agent only the public key (forensics.recipients=age1...). "
                        + "The file is in age-keygen's format: 'age -d -i FILE' reads it."})
    static final class Keygen implements Callable<Integer> {
        @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE",
                description = "Where to write the private key (created with mode 0600; never overwritten).")
        Path output;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            AgeKeys.Pair pair = AgeKeys.generate();
            String text = "# created: " + Instant.now().truncatedTo(ChronoUnit.SECONDS) + "\n"
                    + "# public key: " + pair.recipient() + "\n" + pair.identity() + "\n";
            try (FileChannel file = createPrivate(output)) {
                file.write(java.nio.ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII)));
                file.force(true);
            } catch (FileAlreadyExistsException e) {
                throw new IOException(output + " exists; keygen never overwrites a key");
            }
            PrintWriter out = spec.commandLine().getOut();
            out.println("Public key: " + pair.recipient());
            out.println("Private key written to " + output.toAbsolutePath() + " (mode 0600)");
            out.flush();
            return 0;
        }
    }

    @Command(name = "decrypt", mixinStandardHelpOptions = true,
            description = {"Decrypt a forensics bundle (an age file) into the zip archive it holds.",
                "Same as: age -d -i KEYFILE -o OUT BUNDLE. A corrupted or truncated bundle fails and leaves no output.",
                "--render then prints the bundle's summary.txt and the values of its state/ (limits and --class-path as"
                        + " for inspect). On a terminal, progress is shown on stderr while it decrypts."})
    static final class Decrypt implements Callable<Integer> {
        @Parameters(paramLabel = "BUNDLE", description = "The .age bundle.")
        Path bundle;
        @Option(names = {"-i", "--identity"}, required = true, paramLabel = "KEYFILE",
                description = "The private key file (from keygen or age-keygen).")
        Path identity;
        @Option(names = {"-o", "--output"}, paramLabel = "OUT",
                description = "Where to write the zip (mode 0600). Default: the bundle's name with .zip, in the current directory.")
        Path output;
        @Option(names = "--render",
                description = "Then print the bundle's summary and the values of its state, as inspect shows a snapshot's.")
        boolean render;
        @Option(names = "--json", description = "With --render: the state as JSON, as inspect --json prints it.")
        boolean json;
        @CommandLine.Mixin
        RenderLimits limits;
        @CommandLine.Mixin
        ApplicationClasses classes;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            Path out = output != null ? output
                    : Path.of(bundle.getFileName().toString().replaceFirst("\\.age$", "") + ".zip");
            if (Files.exists(out)) {
                throw new IOException(out + " exists; not overwritten");
            }
            var identities = AgeKeys.readIdentities(identity);
            Path partial = out.resolveSibling(out.getFileName() + ".partial");
            long bytes;
            try (Progress progress = Progress.start("decrypting " + bundle.getFileName());
                 InputStream in = progress.counting(Files.newInputStream(bundle), Files.size(bundle));
                 FileChannel file = createPrivate(partial);
                 OutputStream sink = Channels.newOutputStream(file)) {
                // Not fsynced: the zip can be made again from the bundle, and an fsync of a large one costs
                // more than decrypting it (1.3 s for 200 MB here). The rename still keeps a failed or
                // killed run's partial output from looking finished.
                bytes = AgeKeys.decrypt(in, sink, identities);
            } catch (IOException e) {
                Files.deleteIfExists(partial);
                throw new IOException(bundle + " cannot be decrypted: " + e.getMessage(), e);
            }
            Files.move(partial, out, StandardCopyOption.ATOMIC_MOVE);
            PrintWriter print = spec.commandLine().getOut();
            if (!(render && json)) {
                print.println("decrypted " + bundle + " to " + out + " (" + bytes + " bytes)");
            }
            if (render) {
                render(print, out);
            }
            print.flush();
            return 0;
        }

        private void render(PrintWriter print, Path zip) throws IOException {
            BundleState state = BundleState.read(zip);
            ClassLoader application = classes.loader();
            if (json) {
                ObjectMapper mapper = new ObjectMapper();
                ObjectNode node = mapper.createObjectNode();
                node.put("bundle", bundle.toString());
                if (state.stateMissing() != null) {
                    node.put("stateMissing", state.stateMissing());
                }
                ArrayNode roots = node.putArray("roots");
                for (Root root : state.roots()) {
                    ObjectNode r = SnapshotJson.root(roots.addObject(), root);
                    RootsView.json(r, root, application, limits);
                }
                print.println(mapper.writerWithDefaultPrettyPrinter().writeValueAsString(node));
                return;
            }
            if (state.summary() != null) {
                print.println();
                print.print(state.summary());
            }
            print.println();
            if (state.stateMissing() != null) {
                print.println("State: " + state.stateMissing());
                return;
            }
            print.println("State (" + state.roots().size() + " roots):");
            RootsView.text(print, state.roots(), application, limits);
        }
    }

    @Command(name = "incident", mixinStandardHelpOptions = true,
            description = {"Ask a running JVM that has the agent with forensics=on to capture a bundle now.",
                "Attaches to PID and waits for the bundle; nothing is left listening in the JVM."})
    static final class Incident implements Callable<Integer> {
        @Parameters(paramLabel = "PID", description = "The process id of the JVM.")
        long pid;
        @Option(names = {"-r", "--reason"}, defaultValue = "manual request", paramLabel = "TEXT",
                description = "Why, for the manifest. Default: ${DEFAULT-VALUE}")
        String reason;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            AttachRequest request = AttachRequest.create(AttachRequest.Kind.INCIDENT, pid, reason, "");
            try {
                try (Progress progress = Progress.start("waiting for the incident bundle of process " + pid
                        + " (a heap dump takes a while)")) {
                    Attach.request(pid, request);
                }
                spec.commandLine().getOut().println(request.answerLine());
                spec.commandLine().getOut().flush();
            } finally {
                request.delete();
            }
            return 0;
        }
    }
}
