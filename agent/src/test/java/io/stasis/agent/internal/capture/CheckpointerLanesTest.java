package io.stasis.agent.internal.capture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stasis.agent.internal.state.StateRegistry;
import io.stasis.agent.internal.store.FileSnapshotStore;
import io.stasis.agent.internal.store.Root;
import io.stasis.agent.internal.store.Snapshot;
import io.stasis.agent.internal.store.SnapshotRef;
import io.stasis.api.Checkpointed;
import io.stasis.kryo.AllowedClasses;
import io.stasis.kryo.SnapshotKryo;
import io.stasis.kryo.ValueGraph;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cut whose last cut had several large roots writes them on several lanes; every root's bytes
 * are the bytes it has when written alone, and a root that cannot be written fails the cut by name.
 */
class CheckpointerLanesTest {

    /** A root large enough, with its sibling, for the next cut to use the lanes. */
    static final class Orders {
        @Checkpointed
        static Map<Integer, String> byId;
        @Checkpointed
        static List<Object> recent;
    }

    static final class Accounts {
        @Checkpointed
        static Map<String, long[]> balances;
    }

    static final class Small {
        @Checkpointed
        static String note = "a small root";
    }

    private static void fill() {
        Orders.byId = new HashMap<>();
        for (int i = 0; i < 20_000; i++) {
            Orders.byId.put(i, "order " + i + " of a customer whose name is long enough to be a string of its own");
        }
        List<String> pair = new ArrayList<>(List.of("a list", "held twice"));
        Orders.recent = new ArrayList<>(List.of("shared", "shared", pair, pair));
        Accounts.balances = new HashMap<>();
        for (int i = 0; i < 10_000; i++) {
            Accounts.balances.put("account " + i, new long[] {i, i * 7L, i * 13L, -i});
        }
    }

    @TempDir
    Path dir;
    private FileSnapshotStore store;
    private Checkpointer checkpointer;

    @BeforeEach
    void ownersWithState() throws IOException {
        fill();
        store = FileSnapshotStore.openForWriting(dir);
        StateRegistry registry = new StateRegistry(List.of());
        registry.initialized(Orders.class);
        registry.initialized(Accounts.class);
        registry.initialized(Small.class);
        checkpointer = new Checkpointer(registry, store, null, Duration.ofSeconds(10), 100, AllowedClasses.jdk());
    }

    @AfterEach
    void closeStore() throws IOException {
        store.close();
    }

    /** What the store holds, oldest first, read back and verified. */
    private List<Snapshot> written() throws IOException {
        List<Snapshot> snapshots = new ArrayList<>();
        for (SnapshotRef ref : store.list()) {
            snapshots.add(0, store.read(ref));
        }
        return snapshots;
    }

    @Test
    void rootsWrittenOnLanesHaveTheBytesOfRootsWrittenAlone() throws Exception {
        checkpointer.checkpoint("first");
        assertEquals(1, checkpointer.lanesOfLastCut(), "in sequence: nothing is known of the roots' sizes yet");
        // Which lane takes which root is a race: a lane's thread that is slow to wake finds none left.
        int mostLanes = 0;
        for (int i = 0; i < 10 && mostLanes < 2; i++) {
            checkpointer.checkpoint("later");
            mostLanes = Math.max(mostLanes, checkpointer.lanesOfLastCut());
        }
        int lanes = Math.min(Runtime.getRuntime().availableProcessors(), CutLanes.MAX_LANES);
        assertEquals(Math.min(lanes, 2), mostLanes, "two large roots, on two lanes where there are two");

        List<Snapshot> written = written();
        Snapshot first = written.get(0);
        for (Snapshot later : written.subList(1, written.size())) {
            assertEquals(first.roots().size(), later.roots().size());
            for (int i = 0; i < first.roots().size(); i++) {
                Root root = first.roots().get(i);
                assertEquals(root.name(), later.roots().get(i).name());
                assertArrayEquals(root.data(), later.roots().get(i).data(), root.name());
            }
            assertEquals(first.classes(), later.classes());
        }
        for (Snapshot snapshot : written) {
            Map<String, Boolean> shares = new HashMap<>();
            snapshot.roots().forEach(root -> shares.put(root.owner(), root.sharesObjects()));
            assertEquals(Map.of(Orders.class.getName(), true, Accounts.class.getName(), false, Small.class.getName(), false),
                    shares, "in sequence and on lanes, the root holding one list twice is said to share objects");
        }
        var kryo = SnapshotKryo.create(getClass().getClassLoader(), AllowedClasses.jdk());
        Root orders = written.get(written.size() - 1).roots().stream()
                .filter(root -> root.owner().equals(Orders.class.getName())).findFirst().orElseThrow();
        List<Object> values = ValueGraph.read(kryo, orders.data(), 2);
        assertEquals(Orders.byId, values.get(orders.fields().indexOf("byId")));
        assertEquals(Orders.recent, values.get(orders.fields().indexOf("recent")));
        List<?> recent = (List<?>) ValueGraph.readSharing(kryo, orders.data(), 2).get(orders.fields().indexOf("recent"));
        assertTrue(recent.get(2) == recent.get(3), "read under the budget straight away, the sharing kept");
    }

    @Test
    void aRootThatCannotBeWrittenOnALaneFailsTheCutByItsPath() throws Exception {
        checkpointer.checkpoint("sizes");
        Orders.recent = new ArrayList<>(List.of("fine", new Thread("not snapshottable")));
        try {
            CheckpointException failure = assertThrows(CheckpointException.class, () -> checkpointer.checkpoint("fails"));
            assertTrue(failure.getMessage().contains(Orders.class.getName()) && failure.getMessage().contains(".recent"),
                    failure.getMessage());
            Orders.recent = new ArrayList<>(List.of("fine"));
            checkpointer.checkpoint("recovers");
            assertEquals(List.of("sizes", "recovers"), written().stream().map(Snapshot::reason).toList(),
                    "the failed cut wrote nothing, the next one did");
        } finally {
            Orders.recent = new ArrayList<>();
        }
    }
}
