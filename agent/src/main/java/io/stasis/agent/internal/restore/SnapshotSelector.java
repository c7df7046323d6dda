package io.stasis.agent.internal.restore;

import io.stasis.agent.internal.Log;
import io.stasis.agent.internal.config.AgentOptions;
import io.stasis.agent.internal.config.OptionsException;
import io.stasis.agent.internal.metrics.RestoreStats;
import io.stasis.agent.internal.store.CorruptSnapshotException;
import io.stasis.agent.internal.store.NotAuthenticatedException;
import io.stasis.agent.internal.store.Snapshot;
import io.stasis.agent.internal.store.SnapshotRef;
import io.stasis.agent.internal.store.SnapshotStore;
import io.stasis.kryo.AllowedClasses;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/** Chooses the snapshot to restore at start-up, per the {@code restore} option. */
public final class SnapshotSelector {

    private SnapshotSelector() {
    }

    /**
     * {@code latest}: the newest snapshot that verifies, reporting each damaged one passed over.
     * An explicit id: that snapshot, or a start-up error naming the option.
     */
    public static Optional<Restorer> select(SnapshotStore store, String restore, AllowedClasses allowed)
            throws IOException {
        return select(store, restore, allowed, new RestoreStats());
    }

    /** As {@link #select(SnapshotStore, String, AllowedClasses)}; the restorer records what it applies in {@code stats}. */
    public static Optional<Restorer> select(SnapshotStore store, String restore, AllowedClasses allowed,
                                            RestoreStats stats) throws IOException {
        return select(store, restore, allowed, stats, new KryoPool());
    }

    /** As above; the restorer borrows from {@code kryos}, which may already be preparing an instance. */
    public static Optional<Restorer> select(SnapshotStore store, String restore, AllowedClasses allowed,
                                            RestoreStats stats, KryoPool kryos) throws IOException {
        if (restore.equals(AgentOptions.RESTORE_NONE)) {
            return Optional.empty();
        }
        List<SnapshotRef> refs = store.list();
        for (String foreign : store.foreign()) {
            Log.warn(foreign);
        }
        if (!restore.equals(AgentOptions.RESTORE_LATEST)) {
            SnapshotRef ref = refs.stream().filter(r -> r.id().equals(restore)).findFirst()
                    .orElseThrow(() -> new OptionsException("option 'restore': no snapshot '" + restore + "' in the store"
                            + (refs.isEmpty() ? " (it is empty)" : "; available: "
                            + refs.stream().map(SnapshotRef::id).collect(Collectors.joining(", ")))));
            try {
                return Optional.of(new Restorer(ref, store.read(ref), allowed, stats, kryos));
            } catch (CorruptSnapshotException e) {
                throw new OptionsException("option 'restore': snapshot " + restore + " is " + problem(e) + ": "
                        + e.getMessage());
            }
        }
        for (SnapshotRef ref : refs) {
            try {
                Snapshot snapshot = store.read(ref);
                return Optional.of(new Restorer(ref, snapshot, allowed, stats, kryos));
            } catch (CorruptSnapshotException e) {
                Log.warn("snapshot " + ref.id() + " is " + problem(e) + " and will not be restored (" + e.getMessage()
                        + "); trying the one before it");
            }
        }
        return Optional.empty();
    }

    private static String problem(CorruptSnapshotException e) {
        return e instanceof NotAuthenticatedException ? "not authenticated" : "damaged";
    }
}
