package io.stasis.samples.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.esotericsoftware.kryo.KryoException;
import io.stasis.agent.internal.store.SnapshotRef;
import io.stasis.agent.testing.ForkedJvm;
import io.stasis.agent.testing.Jdk;
import io.stasis.agent.testing.Jdks;
import io.stasis.api.Stasis;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Eight tellers move money while a checkpoint is cut 120 times: every snapshot satisfies the
 * ledger's invariants, and so does the ledger restored from it. The same run without the gate
 * shows the test can fail.
 */
class LedgerConsistencyIT {

    private static final int CUTS = 120;
    private static final String CLASS_PATH = ForkedJvm.classPathOf(LedgerApp.class, Stasis.class);

    @ParameterizedTest
    @MethodSource("io.stasis.agent.testing.Jdks#all")
    void everyCutUnderLoadIsConsistent(Jdk jdk, @TempDir Path dir) throws Exception {
        List<LedgerSnapshots.State> states = runUnderLoad(jdk, dir, true);
        assertTrue(states.size() >= CUTS, "expected at least " + CUTS + " snapshots, found " + states.size());
        assertTrue(states.get(0).transfers() > states.get(states.size() - 1).transfers(), "tellers made progress");
        for (LedgerSnapshots.State state : states) {
            assertEquals("OK", state.check(), "snapshot " + state.snapshotId());
        }
        for (LedgerSnapshots.State state : List.of(states.get(0), states.get(states.size() / 2), states.get(states.size() - 1))) {
            try (ForkedJvm restored = ForkedJvm.on(jdk).agent("dir=" + dir + ",restore=" + state.snapshotId() + ",on-exit=false")
                    .classPath(CLASS_PATH).main(LedgerApp.class, "--accounts=64", "--verify").start()) {
                String start = restored.awaitLineContaining("start: ", Duration.ofSeconds(30));
                assertEquals("start: transfers=" + state.transfers() + " total=" + 64 * 1000 + " invariants=OK", start);
                assertEquals(0, restored.awaitExit(Duration.ofSeconds(30)));
            }
        }
    }

    @Test
    void withoutTheGateACutTearsTransfers(@TempDir Path dir) throws Exception {
        runLedger(Jdks.current(), dir, false);
        int broken = 0;
        List<SnapshotRef> refs = LedgerSnapshots.list(dir);
        for (SnapshotRef ref : refs) {
            try {
                broken += LedgerSnapshots.read(dir, ref).check().equals("OK") ? 0 : 1;
            } catch (KryoException torn) {
                broken++; // the journal changed while it was being written: the cut is not even readable
            }
        }
        assertTrue(broken > 0, "without @QuiescePoint some of " + refs.size() + " cuts should see money in flight");
    }

    /** Runs the ledger with eight tellers and 120 back-to-back checkpoints; returns the snapshots, newest first. */
    private static List<LedgerSnapshots.State> runUnderLoad(Jdk jdk, Path dir, boolean gated) throws Exception {
        runLedger(jdk, dir, gated);
        List<LedgerSnapshots.State> states = new ArrayList<>();
        for (SnapshotRef ref : LedgerSnapshots.list(dir)) {
            states.add(LedgerSnapshots.read(dir, ref));
        }
        return states;
    }

    private static void runLedger(Jdk jdk, Path dir, boolean gated) throws Exception {
        List<String> args = new ArrayList<>(List.of("--accounts=64", "--threads=8", "--checkpoints=" + CUTS));
        if (!gated) {
            args.add("--without-gate");
        }
        try (ForkedJvm ledger = ForkedJvm.on(jdk).agent("dir=" + dir + ",keep=1000,on-exit=false")
                .classPath(CLASS_PATH).main(LedgerApp.class, args.toArray(String[]::new)).start()) {
            assertEquals(0, ledger.awaitExit(Duration.ofMinutes(3)), ledger.output());
        }
    }
}
