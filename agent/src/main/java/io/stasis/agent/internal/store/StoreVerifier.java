package io.stasis.agent.internal.store;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What {@code verify} checks: every snapshot read as restore reads it (so nothing that
 * {@code list} or restore finds damaged passes), no manifest missing between the oldest and the
 * newest (retention removes the oldest first, but keeps the bases of what it keeps), and no foreign file; leftovers of interrupted
 * checkpoints are listed apart, since they harm nothing and {@code gc} removes them.
 */
final class StoreVerifier {

    private final FileSnapshotStore store;

    StoreVerifier(FileSnapshotStore store) {
        this.store = store;
    }

    /**
     * Retention removes a base after the snapshots stored against it: a kill in between leaves it,
     * full and needed by nothing, below a gap. Such a gap is no damage; one with a snapshot below it
     * that is a delta, or that a snapshot still needs, is.
     */
    private static boolean onlyRetiredBasesBelow(long missing, Map<SnapshotRef, Manifest> manifests, Set<Long> bases) {
        return manifests.entrySet().stream().filter(e -> e.getKey().sequence() < missing)
                .allMatch(e -> e.getValue().base() < 0 && !bases.contains(e.getKey().sequence()));
    }

    FileSnapshotStore.Verification verify(java.util.function.BiConsumer<Integer, Integer> progress) throws IOException {
        List<String> damaged = new ArrayList<>();
        List<String> keyless = new ArrayList<>();
        Set<String> referenced = new HashSet<>();
        int chunks = 0;
        List<SnapshotRef> refs = store.list();
        Set<Long> present = new HashSet<>();
        refs.forEach(r -> present.add(r.sequence()));
        Map<SnapshotRef, Manifest> manifests = new LinkedHashMap<>();
        int checked = 0;
        for (SnapshotRef ref : refs) {
            progress.accept(checked++, refs.size());
            Manifest manifest = store.check(ref, damaged, keyless);
            if (manifest != null) {
                manifests.put(ref, manifest);
            }
        }
        // Retention keeps the bases of the snapshots it keeps: those stand apart from the run of the newest.
        Set<Long> bases = new HashSet<>();
        manifests.values().forEach(m -> bases.add(m.base()));
        long oldest = refs.stream().mapToLong(SnapshotRef::sequence).filter(s -> !bases.contains(s)).min()
                .orElse(refs.isEmpty() ? 0 : refs.get(refs.size() - 1).sequence());
        for (Map.Entry<SnapshotRef, Manifest> entry : manifests.entrySet()) {
            Manifest manifest = entry.getValue();
            if (manifest.parent() > oldest && !present.contains(manifest.parent())
                    && !onlyRetiredBasesBelow(manifest.parent(), manifests, bases)) {
                damaged.add(StoreNames.manifest(entry.getKey().sequence()) + ": snapshot " + manifest.parent()
                        + ", written before it, is missing");
            }
            referenced.addAll(manifest.packs());
            Set<String> counted = new HashSet<>();
            for (Manifest.StoredRoot root : manifest.roots()) {
                for (Manifest.ChunkRef chunk : root.chunks()) {
                    if (counted.add(chunk.name())) {
                        chunks++;
                    }
                }
            }
        }
        damaged.addAll(store.foreign());
        return new FileSnapshotStore.Verification(damaged, keyless, store.leftovers(referenced), refs.size(), chunks,
                store.writerLive());
    }
}
