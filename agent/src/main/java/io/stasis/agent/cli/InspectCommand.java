package io.stasis.agent.cli;

import io.stasis.agent.internal.store.FileSnapshotStore;
import io.stasis.agent.internal.store.Snapshot;
import io.stasis.agent.internal.store.SnapshotRef;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = {"Show one snapshot: each root with its fields' values.",
                "Values are cut to the limits below. Without --class-path they are read from the schemas the"
                        + " snapshot carries: no application class is needed, and none of its code runs."})
final class InspectCommand implements Callable<Integer> {
    @CommandLine.Mixin
    StasisCommand.StoreOptions store;
    @Parameters(paramLabel = "ID", description = "The snapshot id, as printed by list, or 'latest' for the newest one that can be read.")
    String id;
    @Option(names = "--json", description = "Print JSON instead of text.")
    boolean json;
    @CommandLine.Mixin
    RenderLimits limits;
    @CommandLine.Mixin
    ApplicationClasses classes;
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        ClassLoader application = classes.loader();
        try (FileSnapshotStore s = store.open()) {
            SnapshotIds.Found found = SnapshotIds.find(s, id, store.dir);
            SnapshotRef ref = found.ref();
            Snapshot snapshot = found.snapshot();
            found.skipped().forEach(skipped -> spec.commandLine().getErr().println(skipped));
            if (json) {
                out.println(SnapshotJson.describe(ref, snapshot, s.storedBytes(ref),
                        (node, root) -> RootsView.json(node, root, application, limits)));
                return 0;
            }
            out.printf("snapshot %s: sequence %d, taken %s, reason %s, pause %.3f ms, %d bytes%n", ref.id(),
                    snapshot.sequence(), snapshot.time().truncatedTo(ChronoUnit.MILLIS), snapshot.reason(),
                    snapshot.pauseNanos() / 1e6, s.storedBytes(ref));
            RootsView.text(out, snapshot.roots(), application, limits);
        }
        return 0;
    }
}
