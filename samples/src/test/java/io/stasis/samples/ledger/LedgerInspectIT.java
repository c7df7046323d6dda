package io.stasis.samples.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stasis.agent.internal.store.SnapshotRef;
import io.stasis.agent.testing.ForkedJvm;
import io.stasis.agent.testing.Jdks;
import io.stasis.api.Stasis;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code inspect} shows the values of the ledger's roots, read by the agent jar alone: the
 * ledger's classes are not on its class path. The values shown are those the snapshot holds, as the
 * test's own reader (with the classes) finds them.
 */
class LedgerInspectIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    static Path dir;
    private static LedgerSnapshots.State newest;

    @BeforeAll
    static void runTheLedger() throws Exception {
        String classPath = ForkedJvm.classPathOf(LedgerApp.class, Stasis.class);
        try (ForkedJvm ledger = ForkedJvm.on(Jdks.current()).agent("dir=" + dir + ",on-exit=false")
                .classPath(classPath).main(LedgerApp.class, "--accounts=16", "--threads=2", "--checkpoints=3").start()) {
            assertEquals(0, ledger.awaitExit(Duration.ofMinutes(2)), ledger.output());
        }
        SnapshotRef latest = LedgerSnapshots.list(dir).get(0);
        newest = LedgerSnapshots.read(dir, latest);
    }

    private static String inspect(String... options) throws Exception {
        List<String> args = new ArrayList<>(List.of("inspect", "--dir", dir.toString()));
        args.addAll(List.of(options));
        try (ForkedJvm cli = ForkedJvm.on(Jdks.current()).jar(ForkedJvm.agentJar(), args.toArray(String[]::new)).start()) {
            assertEquals(0, cli.awaitExit(TIMEOUT), cli.output());
            return cli.output();
        }
    }

    @Test
    void showsTheValuesOfTheLatestSnapshotWithoutTheApplicationsClasses() throws Exception {
        String out = inspect("latest");
        assertTrue(out.startsWith("snapshot " + newest.snapshotId() + ":"), out);
        assertTrue(out.contains("openingBalance = " + newest.openingBalance()), out);
        assertTrue(out.contains("transfers = " + newest.transfers()), out);
        assertTrue(out.contains("balances = long[16] [" + newest.balances()[0] + ", " + newest.balances()[1] + ", "), out);
        Ledger.Entry first = newest.journal().iterator().next();
        assertTrue(out.contains("journal = ArrayDeque(" + newest.journal().size() + ")"), out);
        assertTrue(out.contains("Ledger.Entry{amount=" + first.amount() + ", at=" + first.at() + ", from=" + first.from()
                + ", number=" + first.number() + ", to=" + first.to() + "}"), out);
        assertTrue(out.contains("… " + (newest.journal().size() - 10) + " more"), "the journal is cut at 10 entries:\n" + out);
        assertTrue(out.contains("without the application's classes"), out);
        assertEquals(out, inspect(newest.snapshotId()), "latest is the newest snapshot");
    }

    @Test
    void jsonCarriesTheSameValues() throws Exception {
        JsonNode root = new ObjectMapper().readTree(inspect("latest", "--json")).at("/roots/0");
        assertEquals(Ledger.class.getName(), root.at("/owner").asText());
        assertEquals("stored schemas", root.at("/readWith").asText());
        JsonNode values = root.at("/values");
        assertEquals(newest.transfers(), values.at("/transfers").asLong());
        assertEquals(newest.balances().length, values.at("/balances/size").asInt());
        assertEquals(newest.balances()[3], values.at("/balances/elements/3").asLong());
        JsonNode journal = values.at("/journal");
        assertEquals("java.util.ArrayDeque", journal.at("/@type").asText());
        assertEquals(newest.journal().size(), journal.at("/size").asInt());
        assertEquals(10, journal.at("/elements").size());
        assertEquals(newest.journal().size() - 10, journal.at("/more").asInt());
        Ledger.Entry first = newest.journal().iterator().next();
        assertEquals(Ledger.Entry.class.getName(), journal.at("/elements/0/@type").asText());
        assertEquals(first.number(), journal.at("/elements/0/number").asLong());
        assertEquals(first.at().toString(), journal.at("/elements/0/at").asText());
    }

    @Test
    void limitsCutABigRoot() throws Exception {
        String out = inspect("latest", "--elements=2", "--depth=1");
        assertTrue(out.contains("journal = ArrayDeque(" + newest.journal().size() + ") [Ledger.Entry{…}, Ledger.Entry{…}, … "
                + (newest.journal().size() - 2) + " more]"), out);
        assertTrue(out.contains("balances = long[16] [" + newest.balances()[0] + ", " + newest.balances()[1] + ", … 14 more]"), out);
        JsonNode journal = new ObjectMapper().readTree(inspect("latest", "--json", "--elements=0")).at("/roots/0/values/journal");
        assertEquals(0, journal.at("/elements").size());
        assertEquals(newest.journal().size(), journal.at("/more").asInt());
    }

    @Test
    void readsWithTheApplicationsClassesWhenGiven() throws Exception {
        String classes = ForkedJvm.locationOf(LedgerApp.class);
        JsonNode root = new ObjectMapper().readTree(inspect("latest", "--json", "--class-path", classes)).at("/roots/0");
        assertEquals("classes", root.at("/readWith").asText(), root.toString());
        assertEquals(newest.transfers(), root.at("/values/transfers").asLong());
        assertFalse(inspect("latest", "-cp", classes).contains("without the application's classes"));
    }
}
