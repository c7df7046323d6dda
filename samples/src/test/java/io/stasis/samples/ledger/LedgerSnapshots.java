package io.stasis.samples.ledger;

import com.esotericsoftware.kryo.Kryo;
import io.stasis.agent.internal.store.FileSnapshotStore;
import io.stasis.agent.internal.store.Root;
import io.stasis.agent.internal.store.Snapshot;
import io.stasis.agent.internal.store.SnapshotRef;
import io.stasis.kryo.AllowedClasses;
import io.stasis.kryo.SnapshotKryo;
import io.stasis.kryo.ValueGraph;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** Reads the ledger's state straight out of the snapshots in a store, independently of the agent's restore. */
final class LedgerSnapshots {

    /** The ledger as one snapshot holds it. */
    record State(String snapshotId, long[] balances, long[] transfersPerAccount, long transfers,
                 Collection<Ledger.Entry> journal, long openingBalance) {
        String check() {
            return Invariants.check(balances, transfersPerAccount, transfers, journal, openingBalance);
        }
    }

    private LedgerSnapshots() {
    }

    static List<SnapshotRef> list(Path dir) throws IOException {
        try (FileSnapshotStore store = FileSnapshotStore.openForReading(dir)) {
            return store.list();
        }
    }

    /** Whether the snapshot holds the ledger: one taken before the ledger was constructed does not. */
    static boolean holdsLedger(Path dir, SnapshotRef ref) throws IOException {
        try (FileSnapshotStore store = FileSnapshotStore.openForReading(dir)) {
            return store.read(ref).roots().stream().anyMatch(r -> r.owner().equals(Ledger.class.getName()));
        }
    }

    @SuppressWarnings("unchecked")
    static State read(Path dir, SnapshotRef ref) throws IOException {
        Snapshot snapshot;
        try (FileSnapshotStore store = FileSnapshotStore.openForReading(dir)) {
            snapshot = store.read(ref);
        }
        Root root = snapshot.roots().stream().filter(r -> r.owner().equals(Ledger.class.getName())).findFirst()
                .orElseThrow(() -> new AssertionError("snapshot " + ref.id() + " has no ledger: " + snapshot.roots()));
        Kryo kryo = SnapshotKryo.create(LedgerSnapshots.class.getClassLoader(),
                AllowedClasses.jdk().andReachableFrom(Ledger.class));
        List<Object> read = ValueGraph.read(kryo, root.data(), root.fields().size());
        Map<String, Object> values = new HashMap<>();
        for (int i = 0; i < read.size(); i++) {
            values.put(root.fields().get(i), read.get(i));
        }
        return new State(ref.id(), (long[]) values.get("balances"), (long[]) values.get("transfersPerAccount"),
                ((AtomicLong) values.get("transfers")).get(), (Collection<Ledger.Entry>) values.get("journal"),
                (Long) values.get("openingBalance"));
    }
}
