package io.stasis.agent.cli;

import io.stasis.agent.internal.config.GroupOptions;
import io.stasis.agent.internal.group.Coordination;
import io.stasis.agent.internal.group.GroupSupport;
import io.stasis.agent.internal.store.FileSnapshotStore;
import io.stasis.agent.internal.store.SnapshotRef;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code epochs GROUP}: a group's epochs from its ZooKeeper, and whether its members' stores hold one completely. */
@Command(name = "epochs", mixinStandardHelpOptions = true,
        description = {"List the epochs of a group of JVMs (agent option group=NAME), oldest first: committed ones with"
                + " every member's snapshot id, aborted ones with why.",
            "With --member-dir for every member: check that the newest committed epoch (or --epoch N) is complete, each"
                + " member's snapshot present in its store and verifying, as the group's restore needs it."},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:listed; with --member-dir, the epoch is complete",
            "1:ZooKeeper cannot be read, or the epoch checked is not complete",
            "2:usage error"})
final class EpochsCommand implements Callable<Integer> {

    private static final String ROW = "%-8s %-10s %s%n";

    @Parameters(paramLabel = "GROUP", description = "The group's name (the agent's group option).")
    String group;
    @Option(names = "--zookeeper", required = true, paramLabel = "HOST:PORT[,HOST:PORT...]",
            description = "The group's ZooKeeper (the agent's group.zookeeper option).")
    String zookeeper;
    @Option(names = "--member-dir", paramLabel = "MEMBER=DIR",
            description = "A member's snapshot directory; give one per member to check an epoch is complete.")
    Map<String, Path> memberDirs = new TreeMap<>();
    @Option(names = "--epoch", paramLabel = "N", description = "With --member-dir: the epoch to check. Default: the newest committed.")
    Long epoch;
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        List<Coordination.Epoch> epochs;
        try (Coordination coordination = GroupSupport.connect(
                new GroupOptions(group, "stasis-cli", 1, zookeeper, Duration.ofSeconds(30)), Duration.ofSeconds(10))) {
            epochs = coordination.epochs();
        }
        out.printf(ROW, "EPOCH", "OUTCOME", "SNAPSHOTS (MEMBER=ID) OR WHY");
        for (Coordination.Epoch e : epochs) {
            out.printf(ROW, e.number(), switch (e.state()) {
                case COMMITTED -> "committed";
                case ABORTED -> "aborted";
                case UNKNOWN -> "open";
            }, e.state() == Coordination.Outcome.State.COMMITTED
                    ? e.snapshots().entrySet().stream().map(s -> s.getKey() + "=" + s.getValue())
                            .collect(Collectors.joining(" "))
                    : e.reason());
        }
        out.printf("%d epoch(s) of group '%s' on record at %s%n", epochs.size(), group, zookeeper);
        if (memberDirs.isEmpty()) {
            return 0;
        }
        Optional<Coordination.Epoch> checked = epochs.stream()
                .filter(e -> e.state() == Coordination.Outcome.State.COMMITTED)
                .filter(e -> epoch == null || e.number() == epoch)
                .reduce((older, newer) -> newer);
        if (checked.isEmpty()) {
            out.println(epoch == null ? "no committed epoch to check" : "epoch " + epoch + " is not a committed epoch");
            return 1;
        }
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, String> member : checked.get().snapshots().entrySet()) {
            Path dir = memberDirs.get(member.getKey());
            if (dir == null) {
                problems.add("member " + member.getKey() + ": no --member-dir " + member.getKey() + "=DIR given");
                continue;
            }
            problems.addAll(check(member.getKey(), member.getValue(), dir));
        }
        problems.forEach(p -> out.println("INCOMPLETE: " + p));
        out.printf("epoch %d: %s%n", checked.get().number(), problems.isEmpty()
                ? "complete, every member's snapshot verifies" : problems.size() + " problem(s)");
        return problems.isEmpty() ? 0 : 1;
    }

    private static List<String> check(String member, String snapshotId, Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of("member " + member + ": no snapshot directory at " + dir.toAbsolutePath().normalize());
        }
        try (FileSnapshotStore store = FileSnapshotStore.openForReading(dir)) {
            Optional<SnapshotRef> ref = store.list().stream().filter(r -> r.id().equals(snapshotId)).findFirst();
            if (ref.isEmpty()) {
                return List.of("member " + member + ": snapshot " + snapshotId + " is not in " + dir);
            }
            store.read(ref.get());
            return List.of();
        } catch (IOException | RuntimeException e) {
            return List.of("member " + member + ": snapshot " + snapshotId + " in " + dir + " does not verify: "
                    + e.getMessage());
        }
    }
}
