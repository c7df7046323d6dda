package io.stasis.agent.cli;

import io.stasis.agent.internal.KryoBootstrap;
import io.stasis.agent.internal.store.FileSnapshotStore;
import io.stasis.agent.internal.store.S3Location;
import io.stasis.agent.internal.store.s3.S3Loader;
import io.stasis.agent.internal.store.NotAuthenticatedException;
import io.stasis.agent.internal.store.Snapshot;
import io.stasis.agent.internal.store.SnapshotRef;
import io.stasis.agent.internal.store.SnapshotRemovedException;
import io.stasis.agent.internal.store.StoreLockedException;
import io.stasis.agent.internal.store.StoreKey;
import io.stasis.agent.internal.store.WrongKeyException;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code java -jar stasis-agent.jar COMMAND}: look after a snapshot store from outside the
 * application. Exit status 0 on success, 1 on failure, 2 on a usage error.
 */
@Command(name = "stasis-agent.jar", mixinStandardHelpOptions = true, versionProvider = StasisCommand.Version.class,
        description = "Stasis: transparent process snapshots for the JVM.%n"
                + "As an agent: java -javaagent:stasis-agent.jar=dir=DIR,interval=30s -jar app.jar",
        footer = {"%n'help COMMAND' shows a command's options. The agent's own options",
                "(dir, interval, fields, quiesce, log, ...): docs/user-guide.md, section 5.%n"})
public final class StasisCommand implements Callable<Integer> {

    /** The commands, in the order the help lists them. */
    private static final List<Class<?>> COMMANDS = List.of(ListCommand.class, InspectCommand.class,
            VerifyCommand.class, GcCommand.class, CheckpointCommand.class, StatusCommand.class,
            ForensicsCommands.Keygen.class, ForensicsCommands.Decrypt.class, ForensicsCommands.Incident.class,
            ImageCommands.Image.class, ImageCommands.RestoreImage.class, EpochsCommand.class,
            CommandLine.HelpCommand.class);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    static int execute(String... args) {
        // inspect and decrypt --render read snapshots with our Kryo: without sun.misc.Unsafe on JDK 24+, as in the agent.
        KryoBootstrap.initialize();
        CommandLine cli = new CommandLine(new StasisCommand());
        // picocli builds a command's model by reflection, some tens of milliseconds each in a JVM just
        // started: a named command gets only its own (restore-image's start is a warm start's cost);
        // help, --help, a mistyped name and no name get them all, to list them or suggest one.
        Class<?> named = args.length == 0 ? null : COMMANDS.stream()
                .filter(c -> c.getAnnotation(Command.class).name().equals(args[0])
                        && c != CommandLine.HelpCommand.class).findFirst().orElse(null);
        for (Class<?> command : named != null ? List.of(named) : COMMANDS) {
            cli.addSubcommand(command);
        }
        cli.setExecutionExceptionHandler((e, command, parsed) -> {
            command.getErr().println("error: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            return 1;
        });
        // A usage mistake gets the error, the command's synopsis and where to read more: not its whole help.
        cli.setParameterExceptionHandler((e, arguments) -> {
            CommandLine command = e.getCommandLine();
            PrintWriter err = command.getErr();
            err.println("error: " + e.getMessage());
            if (e instanceof CommandLine.UnmatchedArgumentException unmatched && !unmatched.getSuggestions().isEmpty()) {
                err.println("Did you mean: " + String.join(" or ", unmatched.getSuggestions()) + "?");
            }
            err.print("Usage: " + command.getHelp().synopsis(0));
            String name = command.getCommandSpec().qualifiedName(" ").replaceFirst("^\\S+ ?", "");
            err.println(name.isEmpty() ? "Try 'java -jar stasis-agent.jar --help' for the commands."
                    : "Try 'java -jar stasis-agent.jar help " + name + "' for more.");
            return 2;
        });
        return cli.execute(args);
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return 2;
    }

    /** Options every store command takes. */
    static final class StoreOptions {
        @Option(names = "--dir", defaultValue = "./stasis-data", paramLabel = "DIR",
                description = "The snapshot directory, or s3://BUCKET/PREFIX (the agent's dir option)."
                        + " Default: ${DEFAULT-VALUE}")
        String dir;
        @Option(names = "--s3-endpoint", paramLabel = "URL",
                description = "With --dir s3://...: an S3-compatible server (the agent's s3.endpoint option).")
        URI s3Endpoint;
        @Option(names = "--s3-region", paramLabel = "REGION",
                description = "With --dir s3://...: the bucket's region (the agent's s3.region option).")
        String s3Region;
        @Option(names = "--s3-path-style",
                description = "With --dir s3://...: the bucket in the path (the agent's s3.path-style option).")
        boolean s3PathStyle;
        @Option(names = "--encryption-key", paramLabel = "FILE",
                description = "The key file of an encrypted store (the agent's encryption-key option).")
        Path keyFile;
        @Option(names = "--accept-plain",
                description = "With --encryption-key, read plain (unauthenticated) snapshots too, to migrate a store"
                        + " that was plain (the agent's encryption.accept-plain option).")
        boolean acceptPlain;

        FileSnapshotStore open() throws IOException {
            S3Location s3 = s3();
            return s3 != null ? FileSnapshotStore.openForReading(S3Loader.open(s3), key(), acceptPlain)
                    : FileSnapshotStore.openForReading(existingDir(), key(), acceptPlain);
        }

        FileSnapshotStore openForWriting() throws IOException {
            S3Location s3 = s3();
            return s3 != null ? FileSnapshotStore.openForWriting(S3Loader.open(s3), key(), acceptPlain)
                    : FileSnapshotStore.openForWriting(existingDir(), key(), acceptPlain);
        }

        /** Where the store is, for what the commands print: the absolute directory, or the s3:// URL. */
        String where() {
            S3Location s3 = S3Location.isS3(dir) ? s3() : null;
            return s3 != null ? s3.url() : Path.of(dir).toAbsolutePath().normalize().toString();
        }

        private S3Location s3() {
            if (!S3Location.isS3(dir)) {
                if (s3Endpoint != null || s3Region != null || s3PathStyle) {
                    throw new IllegalArgumentException("--s3-endpoint, --s3-region and --s3-path-style are for"
                            + " --dir s3://BUCKET/PREFIX");
                }
                return null;
            }
            try {
                return S3Location.parse(dir, s3Endpoint, s3Region, s3PathStyle);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--dir: " + e.getMessage(), e);
            }
        }

        private Path existingDir() throws IOException {
            Path path = Path.of(dir);
            if (!Files.isDirectory(path)) {
                throw new IOException("no snapshot directory at " + path.toAbsolutePath().normalize());
            }
            return path;
        }

        private StoreKey key() throws IOException {
            return keyFile == null ? null : StoreKey.read(keyFile);
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the snapshots in a store, newest first.")
    static final class ListCommand implements Callable<Integer> {
        /** ROOTS are owners (a class's statics, an instance); FIELDS what they hold. */
        private static final String LIST_ROW = "%-8s %-20s %-12s %6s %7s %12s%n";
        @CommandLine.Mixin
        StoreOptions store;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            PrintWriter out = spec.commandLine().getOut();
            try (FileSnapshotStore s = store.open()) {
                List<SnapshotRef> refs = s.list();
                int listed = refs.size();
                out.printf(LIST_ROW, "ID", "TIME (UTC)", "REASON", "ROOTS", "FIELDS", "BYTES");
                for (SnapshotRef ref : refs) {
                    try {
                        Snapshot snapshot = s.read(ref);
                        out.printf(LIST_ROW, ref.id(), snapshot.time().truncatedTo(ChronoUnit.SECONDS), snapshot.reason(),
                                snapshot.roots().size(), snapshot.roots().stream().mapToInt(r -> r.fields().size()).sum(),
                                s.storedBytes(ref));
                    } catch (SnapshotRemovedException e) {
                        listed--; // retention in a live writer removed it while this listed the store
                    } catch (NotAuthenticatedException e) {
                        out.printf("%-8s NOT AUTHENTICATED: %s%n", ref.id(), e.getMessage());
                    } catch (WrongKeyException e) {
                        out.printf("%-8s NO KEY: %s (give --encryption-key FILE)%n", ref.id(), e.getMessage());
                    } catch (IOException e) {
                        out.printf("%-8s DAMAGED: %s%n", ref.id(), e.getMessage());
                    }
                }
                List<String> foreign = s.foreign();
                foreign.forEach(f -> out.printf("%-8s FOREIGN: %s%n", "-", f));
                out.printf("%d snapshot(s) in %s%s%n", listed, store.where(),
                        foreign.isEmpty() ? "" : ", and " + foreign.size() + " foreign file(s) never restored");
            }
            return 0;
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = {"Read and check every snapshot and every chunk in a store.",
                    "Exit status 1 if anything is damaged; each damaged file is named.",
                    "Leftovers of interrupted checkpoints are listed apart: gc removes them."})
    static final class VerifyCommand implements Callable<Integer> {
        @CommandLine.Mixin
        StoreOptions store;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            PrintWriter out = spec.commandLine().getOut();
            try (FileSnapshotStore s = store.open()) {
                FileSnapshotStore.Verification result;
                try (Progress progress = Progress.start("verifying " + store.where())) {
                    result = s.verify((checked, of) -> progress.detail(checked + " of " + of + " snapshots checked"));
                }
                result.damaged().forEach(d -> out.println("DAMAGED: " + d));
                result.keyless().forEach(d -> out.println("NO KEY: " + d));
                String leftover = result.writerLive()
                        ? "not referenced (yet: an application is writing to this store; gc removes it if it stays so): "
                        : "leftover (gc removes it): ";
                result.leftovers().forEach(l -> out.println(leftover + l));
                String outcome = result.damaged().isEmpty() && result.keyless().isEmpty() ? "all verify"
                        : !result.damaged().isEmpty() ? result.damaged().size() + " problem(s)"
                        : result.keyless().size() + " snapshot(s) could not be checked without their key: give "
                          + "--encryption-key FILE";
                out.printf("%d snapshot(s), %d chunk(s) checked in %s: %s%n", result.snapshots(), result.chunks(),
                        store.where(), outcome);
                return outcome.equals("all verify") ? 0 : 1;
            }
        }
    }

    @Command(name = "gc", mixinStandardHelpOptions = true,
            description = {"Remove packs no snapshot references, and leftovers of interrupted checkpoints.",
                    "Takes the writer's lock: refused while an application writes to the store."})
    static final class GcCommand implements Callable<Integer> {
        @CommandLine.Mixin
        StoreOptions store;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            PrintWriter out = spec.commandLine().getOut();
            try (FileSnapshotStore s = store.openForWriting()) {
                List<String> removed = s.gc();
                removed.forEach(r -> out.println("removed " + r));
                out.printf("%d file(s) removed from %s%n", removed.size(), store.where());
            } catch (StoreLockedException e) {
                throw new IOException("gc needs the store to itself, and an application is writing to "
                        + store.where() + " now: run gc when it has stopped (while it runs, its own "
                        + "retention, keep=N, removes what its old snapshots no longer need)", e);
            }
            return 0;
        }
    }

    /** The agent jar's version, from its manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = StasisCommand.class.getPackage().getImplementationVersion();
            return new String[] {"Stasis " + (version == null ? "(development build)" : version)};
        }
    }
}
