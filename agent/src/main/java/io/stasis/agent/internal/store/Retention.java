package io.stasis.agent.internal.store;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What a store keeps: the newest snapshots, the newest one that verifies, and the base of every
 * snapshot it keeps; then the packs no remaining manifest references. Runs in the writer's process,
 * under its exclusion, so no checkpoint writes a pack meanwhile. Deletion runs in an order that
 * leaves a readable store wherever a kill interrupts it.
 */
final class Retention {

    private final FileSnapshotStore store;
    private final BlobStore blobs;
    private final Manifests manifests;

    Retention(FileSnapshotStore store, BlobStore blobs, Manifests manifests) {
        this.store = store;
        this.blobs = blobs;
        this.manifests = manifests;
    }

    /** Deletes all but the newest {@code keep} snapshots, never the newest one that verifies. */
    void retain(int keep) throws IOException {
        List<SnapshotRef> refs = store.list();
        Set<Long> kept = new HashSet<>();
        refs.stream().limit(keep).forEach(r -> kept.add(r.sequence()));
        for (SnapshotRef ref : refs) {
            if (store.readable(ref)) {
                kept.add(ref.sequence());
                break;
            }
        }
        kept.addAll(bases(refs, kept));
        // Oldest first, so that a kill part-way leaves the survivors a contiguous run (and the bases
        // kept for it), which verify expects; but a base only after every snapshot stored against
        // it, so that a kill never leaves a snapshot whose base is gone.
        Set<Long> present = new HashSet<>();
        refs.forEach(r -> present.add(r.sequence()));
        List<SnapshotRef> basesLast = new ArrayList<>();
        for (int i = refs.size() - 1; i >= 0; i--) {
            SnapshotRef ref = refs.get(i);
            if (!kept.contains(ref.sequence())) {
                if (bases(refs, present).contains(ref.sequence())) {
                    basesLast.add(ref);
                } else {
                    remove(ref);
                    present.remove(ref.sequence());
                }
            }
        }
        for (SnapshotRef base : basesLast) {
            remove(base);
        }
        blobs.syncRemovals();
    }

    /**
     * Deletes one snapshot, unless a newer one is stored against it.
     *
     * @return the snapshots that remain
     */
    List<SnapshotRef> discard(SnapshotRef ref) throws IOException {
        List<SnapshotRef> others = new ArrayList<>(store.list());
        others.removeIf(r -> r.sequence() == ref.sequence());
        Set<Long> remaining = new HashSet<>();
        others.forEach(r -> remaining.add(r.sequence()));
        if (bases(others, remaining).contains(ref.sequence())) {
            throw new IOException("snapshot " + ref.id() + " is the base of a newer snapshot, so it stays until"
                    + " retention removes both");
        }
        remove(ref);
        blobs.syncRemovals();
        return others;
    }

    /**
     * Removes packs that no manifest references, and temporary files. If a manifest cannot be read,
     * no pack is removed: it might reference any.
     *
     * @return the objects removed
     */
    List<String> gc() throws IOException {
        List<String> removed = new ArrayList<>(blobs.removeLeftovers());
        Set<String> referenced = new HashSet<>();
        for (SnapshotRef ref : store.list()) {
            if (manifests.exists(ref.sequence())) {
                try {
                    referenced.addAll(manifests.get(ref).packs());
                } catch (CorruptSnapshotException e) {
                    return removed;
                }
            }
        }
        for (String pack : unreferencedPacks(referenced)) {
            blobs.delete(pack);
            removed.add(pack);
        }
        return removed;
    }

    /** Packs that none of {@code referenced} names, and temporary files: what {@link #gc} removes. */
    List<String> leftovers(Set<String> referenced) throws IOException {
        List<String> leftovers = unreferencedPacks(referenced);
        leftovers.addAll(blobs.leftovers());
        return leftovers;
    }

    private List<String> unreferencedPacks(Set<String> referenced) throws IOException {
        List<String> packs = new ArrayList<>();
        for (BlobStore.Entry pack : StoreNames.matching(blobs, StoreNames.PACKS + "/pack-", StoreNames.PACK)) {
            if (!referenced.contains(StoreNames.baseName(pack.name()))) {
                packs.add(pack.name());
            }
        }
        return packs;
    }

    /** Deletes one snapshot's manifest (or format-1 file); its packs go with the next {@link #gc}. */
    private void remove(SnapshotRef ref) throws IOException {
        manifests.forget(ref.sequence());
        blobs.delete(StoreNames.manifest(ref.sequence()));
        blobs.delete(StoreNames.version1(ref.sequence()));
    }

    /**
     * The snapshots that those in {@code kept} are stored against: retention keeps them too, and a
     * kept snapshot never loses its base. One whose manifest does not read needs nothing.
     */
    private Set<Long> bases(List<SnapshotRef> refs, Set<Long> kept) throws IOException {
        Set<Long> bases = new HashSet<>();
        for (SnapshotRef ref : refs) {
            if (kept.contains(ref.sequence()) && manifests.exists(ref.sequence())) {
                try {
                    long base = manifests.get(ref).base();
                    if (base >= 0) {
                        bases.add(base);
                    }
                } catch (CorruptSnapshotException e) {
                    // unreadable: whatever it was stored against cannot make it readable again
                }
            }
        }
        return bases;
    }
}
