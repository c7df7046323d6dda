package io.stasis.agent.cli;

import io.stasis.agent.internal.store.FileSnapshotStore;
import io.stasis.agent.internal.store.Root;
import io.stasis.agent.internal.store.Snapshot;
import io.stasis.agent.internal.store.SnapshotRef;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code java -jar stasis-agent.jar COMMAND}: look after a snapshot store from outside the
 * application. Exit status 0 on success, 1 on failure, 2 on a usage error.
 */
@Command(name = "stasis-agent.jar", mixinStandardHelpOptions = true, versionProvider = StasisCommand.Version.class,
        description = "Stasis: transparent process snapshots for the JVM.%n"
                + "As an agent: java -javaagent:stasis-agent.jar=dir=DIR,interval=30s -jar app.jar",
        subcommands = {StasisCommand.ListCommand.class, StasisCommand.InspectCommand.class})
public final class StasisCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    static int execute(String... args) {
        CommandLine cli = new CommandLine(new StasisCommand());
        cli.setExecutionExceptionHandler((e, command, parsed) -> {
            command.getErr().println("error: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            return 1;
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
                description = "The snapshot directory (the agent's dir option). Default: ${DEFAULT-VALUE}")
        Path dir;

        FileSnapshotStore open() throws IOException {
            if (!Files.isDirectory(dir)) {
                throw new IOException("no snapshot directory at " + dir.toAbsolutePath());
            }
            return FileSnapshotStore.openForReading(dir);
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the snapshots in a store, newest first.")
    static final class ListCommand implements Callable<Integer> {
        @CommandLine.Mixin
        StoreOptions store;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            PrintWriter out = spec.commandLine().getOut();
            try (FileSnapshotStore s = store.open()) {
                List<SnapshotRef> refs = s.list();
                out.printf("%-8s %-24s %-12s %6s %12s%n", "ID", "TIME", "REASON", "ROOTS", "BYTES");
                for (SnapshotRef ref : refs) {
                    try {
                        Snapshot snapshot = s.read(ref);
                        out.printf("%-8s %-24s %-12s %6d %12d%n", ref.id(), snapshot.time(), snapshot.reason(),
                                snapshot.roots().size(), ref.bytes());
                    } catch (IOException e) {
                        out.printf("%-8s DAMAGED: %s%n", ref.id(), e.getMessage());
                    }
                }
                out.printf("%d snapshot(s) in %s%n", refs.size(), store.dir.toAbsolutePath());
            }
            return 0;
        }
    }

    @Command(name = "inspect", mixinStandardHelpOptions = true, description = "Show one snapshot's roots and sizes.")
    static final class InspectCommand implements Callable<Integer> {
        @CommandLine.Mixin
        StoreOptions store;
        @Parameters(paramLabel = "ID", description = "The snapshot id, as printed by list.")
        String id;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            PrintWriter out = spec.commandLine().getOut();
            try (FileSnapshotStore s = store.open()) {
                SnapshotRef ref = s.list().stream().filter(r -> r.id().equals(id)).findFirst()
                        .orElseThrow(() -> new IOException("no snapshot '" + id + "' in " + store.dir.toAbsolutePath()));
                Snapshot snapshot = s.read(ref);
                out.printf("snapshot %s: sequence %d, taken %s, reason %s, pause %.3f ms, %d bytes%n", ref.id(),
                        snapshot.sequence(), snapshot.time(), snapshot.reason(), snapshot.pauseNanos() / 1e6, ref.bytes());
                for (Root root : snapshot.roots()) {
                    out.printf("  %-60s %10d bytes  fields: %s%n", root.name(), root.data().length,
                            String.join(", ", root.fields()));
                }
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
