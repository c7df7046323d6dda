package io.stasis.agent.internal.group;

import io.stasis.agent.internal.Log;
import io.stasis.agent.internal.config.AgentOptions;
import io.stasis.agent.internal.config.GroupOptions;
import io.stasis.agent.internal.metrics.RestoreStats;
import io.stasis.agent.internal.restore.Restorer;
import io.stasis.agent.internal.store.CorruptSnapshotException;
import io.stasis.agent.internal.store.Snapshot;
import io.stasis.agent.internal.store.SnapshotRef;
import io.stasis.agent.internal.store.SnapshotStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Chooses what a member of a group restores at start-up: its snapshot of the newest committed epoch
 * that every member can restore, never a newer snapshot of its own. Each member reads and verifies
 * its snapshots of the committed epochs, says which it can restore, and waits (at most
 * {@code group.timeout}) until every member has said so; all of them then reach the same choice
 * from the same answers. So if one member's snapshot of the newest epoch is damaged, the whole
 * group falls back to the epoch before it.
 *
 * @param restorer   what to restore, or {@code null} for nothing
 * @param message    what was chosen and why, for the log
 * @param restorable the committed epochs this member can restore, newest first
 */
public record GroupRestore(Restorer restorer, String message, List<Long> restorable) {

    public static GroupRestore choose(SnapshotStore store, Coordination coordination, AgentOptions options,
                                      RestoreStats stats) throws IOException, InterruptedException {
        GroupOptions group = options.group();
        String who = "group '" + group.name() + "', member '" + group.member() + "'";
        NavigableMap<Long, Map<String, String>> committed = coordination.committed();
        Map<String, SnapshotRef> refs = store.list().stream()
                .collect(Collectors.toMap(SnapshotRef::id, Function.identity(), (a, b) -> a));
        List<Long> restorable = new ArrayList<>();
        Snapshot newest = null;
        if (!options.restore().equals(AgentOptions.RESTORE_NONE)) {
            for (long epoch : committed.descendingKeySet()) {
                SnapshotRef ref = refs.get(committed.get(epoch).get(group.member()));
                if (ref == null) {
                    continue; // retained away, or this member's store is new
                }
                try {
                    Snapshot snapshot = store.read(ref);
                    restorable.add(epoch);
                    if (newest == null) {
                        newest = snapshot;
                    }
                } catch (CorruptSnapshotException e) {
                    Log.warn(who + ": snapshot " + ref.id() + " of epoch " + epoch + " is damaged and will not be"
                            + " restored (" + e.getMessage() + "); the group falls back to an epoch every member can"
                            + " restore");
                }
            }
        }
        coordination.join(restorable);
        Map<String, List<Long>> members = coordination.awaitMembers(group.timeout());
        String absent = "";
        if (members.size() < group.size()) {
            absent = "; only " + members.size() + " of " + group.size() + " members (" + String.join(", ",
                    members.keySet()) + ") were present within group.timeout=" + group.timeout().toSeconds() + "s";
        }
        Long chosen = null;
        List<String> passedOver = new ArrayList<>();
        for (long epoch : committed.descendingKeySet()) {
            List<String> cannot = members.entrySet().stream().filter(m -> !m.getValue().contains(epoch))
                    .map(Map.Entry::getKey).sorted().toList();
            if (cannot.isEmpty() && restorable.contains(epoch)) {
                chosen = epoch;
                break;
            }
            passedOver.add("epoch " + epoch + " (" + String.join(", ", cannot) + " cannot restore it)");
        }
        String fallback = passedOver.isEmpty() ? "" : "; passed over " + String.join(", ", passedOver);
        if (chosen == null) {
            String why = committed.isEmpty() ? "the group has committed no epoch yet"
                    : options.restore().equals(AgentOptions.RESTORE_NONE) ? "restore=none"
                    : "no committed epoch can be restored by every member";
            return new GroupRestore(null, who + ": not restoring: " + why + fallback + absent, restorable);
        }
        String id = committed.get(chosen).get(group.member());
        SnapshotRef ref = refs.get(id);
        Snapshot snapshot = chosen.equals(restorable.get(0)) ? newest : store.read(ref);
        return new GroupRestore(new Restorer(ref, snapshot, options.allowed(), stats),
                who + ": restoring epoch " + chosen + " from snapshot " + id + " (taken " + snapshot.time()
                        + "), the newest epoch every member can restore" + fallback + absent,
                restorable);
    }
}
