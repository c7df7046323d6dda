package io.stasis.agent.cli;

import io.stasis.agent.internal.store.FileSnapshotStore;
import io.stasis.agent.internal.store.Snapshot;
import io.stasis.agent.internal.store.SnapshotRef;
import io.stasis.agent.internal.store.SnapshotRemovedException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** A snapshot id on the command line: as {@code list} prints it, or {@code latest}. */
final class SnapshotIds {

    static final String LATEST = "latest";

    /** The snapshot found, and what was passed over on the way to the latest readable one. */
    record Found(SnapshotRef ref, Snapshot snapshot, List<String> skipped) {
    }

    private SnapshotIds() {
    }

    /**
     * {@code latest}: the newest snapshot that reads completely, as {@code restore=latest} picks it;
     * otherwise the snapshot with that id.
     */
    static Found find(FileSnapshotStore store, String id, String dir) throws IOException {
        List<SnapshotRef> refs = store.list();
        if (!LATEST.equals(id)) {
            SnapshotRef ref = refs.stream().filter(r -> r.id().equals(id)).findFirst()
                    .orElseThrow(() -> new IOException("no snapshot '" + id + "' in " + store.location()
                            + ": 'list --dir " + dir + "' shows the ids, or use 'latest'"));
            return new Found(ref, store.read(ref), List.of());
        }
        List<String> skipped = new ArrayList<>();
        for (SnapshotRef ref : refs) {
            try {
                return new Found(ref, store.read(ref), skipped);
            } catch (SnapshotRemovedException e) {
                // removed by a live writer's retention while this read the store: not damage
            } catch (IOException e) {
                skipped.add("snapshot " + ref.id() + " passed over: " + e.getMessage());
            }
        }
        throw new IOException("no readable snapshot in " + store.location()
                + (skipped.isEmpty() ? " (it is empty)" : ": " + String.join("; ", skipped)));
    }
}
