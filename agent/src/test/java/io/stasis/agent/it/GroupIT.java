package io.stasis.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stasis.agent.internal.store.FileSnapshotStore;
import io.stasis.agent.internal.store.SnapshotRef;
import io.stasis.agent.it.apps.GroupApp;
import io.stasis.agent.testing.ForkedJvm;
import io.stasis.agent.testing.Jdk;
import io.stasis.agent.testing.Jdks;
import io.stasis.agent.testing.ZooKeeperServer;
import io.stasis.api.Stasis;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Groups of JVMs (forked, with the real agent jar) coordinated through a real ZooKeeper server in a
 * JVM of its own: epochs committed on every member, restored together, a damaged member snapshot
 * making the whole group fall back, a stuck member aborting an epoch for everyone, and the server
 * restarted mid-epoch.
 */
class GroupIT {

    private static final String CLASS_PATH = ForkedJvm.classPathOf(GroupApp.class, Stasis.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final List<String> MEMBERS = List.of("a", "b", "c");
    private static final Pattern COMMITTED = Pattern.compile("member '(\\w+)': epoch (\\d+) committed: snapshot (\\S+),");
    private static final Pattern ABORTED = Pattern.compile("member '(\\w+)': epoch (\\d+) aborted: ");
    private static final Pattern RESTORING = Pattern.compile("member '(\\w+)': restoring epoch (\\d+) from snapshot (\\S+) ");

    @TempDir
    Path dir;
    private ZooKeeperServer zookeeper;
    private final List<ForkedJvm> running = new ArrayList<>();

    @BeforeEach
    void startZooKeeper() throws Exception {
        zookeeper = ZooKeeperServer.start(Files.createDirectory(dir.resolve("zookeeper")));
    }

    @AfterEach
    void stopAll() throws Exception {
        for (ForkedJvm jvm : running) {
            jvm.close();
        }
        if (zookeeper != null) {
            zookeeper.close();
        }
    }

    @ParameterizedTest
    @MethodSource("io.stasis.agent.testing.Jdks#all")
    void everyMemberRestoresTheNewestCommittedEpochAfterTheGroupIsKilled(Jdk jdk) throws Exception {
        Map<String, ForkedJvm> group = startGroup(jdk, "g1", "");
        long epoch = awaitCommittedOnAll(group, 3);
        killAll(group);

        Map<String, ForkedJvm> again = startGroup(jdk, "g1", "");
        Map<String, Long> restored = awaitRestoredEpochs(again);
        assertEquals(1, new TreeSet<>(restored.values()).size(), "every member restores the same epoch: " + restored);
        long chosen = restored.get("a");
        assertTrue(chosen >= epoch, "the newest committed epoch (" + epoch + " or later) is restored: " + restored);
        for (String member : MEMBERS) {
            long ticks = startTicks(again.get(member));
            assertTrue(ticks > 0, member + " resumes from its snapshot of epoch " + chosen + ": " + ticks);
        }
    }

    @Test
    void aDamagedSnapshotOfOneMemberMakesTheWholeGroupFallBackToTheEpochBefore() throws Exception {
        Jdk jdk = Jdks.current();
        Map<String, ForkedJvm> group = startGroup(jdk, "g2", "");
        long first = awaitCommittedOnAll(group, 0);
        awaitCommittedOnAll(group, first + 2);
        killAll(group);

        NavigableMap<Long, Map<String, String>> committed = records("g2").committed();
        long newest = committed.lastKey();
        long previous = committed.lowerKey(newest);
        damageManifest(dir.resolve("store-b"), committed.get(newest).get("b"));

        // The command line sees it too: the newest epoch is incomplete, the one before it complete.
        String[] stores = MEMBERS.stream().flatMap(m -> Stream.of("--member-dir",
                m + "=" + dir.resolve("store-" + m))).toArray(String[]::new);
        try (ForkedJvm check = epochsCommand(jdk, "g2", stores)) {
            assertEquals(1, check.awaitExit(TIMEOUT), check.output());
            assertTrue(check.output().contains("INCOMPLETE: member b: snapshot " + committed.get(newest).get("b")),
                    check.output());
        }
        String[] previousOnly = Stream.concat(Arrays.stream(stores),
                Stream.of("--epoch", Long.toString(previous))).toArray(String[]::new);
        try (ForkedJvm check = epochsCommand(jdk, "g2", previousOnly)) {
            assertEquals(0, check.awaitExit(TIMEOUT), check.output());
            assertTrue(check.output().contains("epoch " + previous + ": complete"), check.output());
        }

        Map<String, ForkedJvm> again = startGroup(jdk, "g2", "");
        Map<String, Long> restored = awaitRestoredEpochs(again);
        assertEquals(Map.of("a", previous, "b", previous, "c", previous), restored,
                "every member falls back to epoch " + previous + " when b's snapshot of epoch " + newest
                        + " is damaged");
        for (String member : MEMBERS) {
            String line = again.get(member).awaitLineContaining("restoring epoch " + previous, TIMEOUT);
            assertTrue(line.contains("passed over epoch " + newest + " (b cannot restore it)"), line);
        }
    }

    @Test
    void aMemberStuckInAUnitOfWorkAbortsTheEpochForEveryoneWithinTheTimeout() throws Exception {
        Jdk jdk = Jdks.current();
        Path trigger = dir.resolve("stuck-now");
        Map<String, ForkedJvm> group = startGroup(jdk, "g3", "", Map.of("c", trigger.toString()));
        long stuckFrom = awaitCommittedOnAll(group, 2);
        Files.createFile(trigger);
        group.get("c").awaitLineContaining("stuck", TIMEOUT);

        ForkedJvm a = group.get("a");
        String abortedLine = a.awaitLine(l -> {
            Matcher m = ABORTED.matcher(l);
            return m.find() && Long.parseLong(m.group(2)) > stuckFrom;
        }, TIMEOUT);
        assertNotNull(abortedLine, a.output());
        Matcher m = ABORTED.matcher(abortedLine);
        assertTrue(m.find());
        long aborted = Long.parseLong(m.group(2));
        assertTrue(abortedLine.contains("c had not drained") || abortedLine.contains("stuck-worker"), abortedLine);
        // The stuck unit ends after 5 s; epochs commit again afterwards.
        awaitCommittedOnAll(group, aborted + 1);
        for (String member : List.of("a", "b")) {
            long maxWait = lastMaxWaitMillis(group.get(member));
            assertTrue(maxWait < 2_500, member + " was stopped for " + maxWait + " ms, more than quiesce-timeout=1s"
                    + " and the barrier's margin");
        }
        killAll(group);
        GroupRecords records = records("g3");
        assertTrue(records.aborted().contains(aborted), "epoch " + aborted + " is recorded as aborted");
        assertNoSnapshotOf(records.aborted());
    }

    @Test
    void theZooKeeperServerRestartedMidEpochLeavesNoHalfCommittedEpoch() throws Exception {
        Jdk jdk = Jdks.current();
        Map<String, ForkedJvm> group = startGroup(jdk, "g4", "");
        long before = awaitCommittedOnAll(group, 2);
        zookeeper.restart();
        long after = awaitCommittedOnAll(group, before + 2);
        assertTrue(after > before);
        killAll(group);

        // The newest committed epoch has every member's snapshot, and no aborted one has any.
        GroupRecords records = records("g4");
        long newest = records.committed().lastKey();
        for (String member : MEMBERS) {
            try (FileSnapshotStore store = FileSnapshotStore.openForReading(dir.resolve("store-" + member))) {
                String id = records.committed().get(newest).get(member);
                SnapshotRef ref = store.list().stream().filter(r -> r.id().equals(id)).findFirst()
                        .orElseThrow(() -> new AssertionError(member + " has no snapshot " + id + " of epoch " + newest));
                assertEquals("epoch " + newest, store.read(ref).reason());
            }
        }
        assertNoSnapshotOf(records.aborted());

        Map<String, ForkedJvm> again = startGroup(jdk, "g4", "");
        assertEquals(Map.of("a", newest, "b", newest, "c", newest), awaitRestoredEpochs(again));
    }

    private ForkedJvm epochsCommand(Jdk jdk, String group, String... more) {
        List<String> args = new ArrayList<>(List.of("epochs", group, "--zookeeper", zookeeper.connectString()));
        args.addAll(List.of(more));
        return ForkedJvm.on(jdk).jar(ForkedJvm.agentJar(), args.toArray(String[]::new)).start();
    }

    /** What the ZooKeeper server records of a group's epochs, read with a client of the test's own. */
    private record GroupRecords(NavigableMap<Long, Map<String, String>> committed, Set<Long> aborted) {
    }

    private GroupRecords records(String group) throws Exception {
        NavigableMap<Long, Map<String, String>> committed = new TreeMap<>();
        Set<Long> aborted = new TreeSet<>();
        try (CuratorFramework client = CuratorFrameworkFactory.newClient(zookeeper.connectString(), new RetryOneTime(200))) {
            client.start();
            assertTrue(client.blockUntilConnected(30, TimeUnit.SECONDS));
            String epochs = "/stasis/groups/" + group + "/epochs";
            for (String name : client.getChildren().forPath(epochs)) {
                long epoch = Long.parseLong(name.substring("e-".length()));
                if (client.checkExists().forPath(epochs + "/" + name + "/outcome") == null) {
                    continue;
                }
                String[] lines = new String(client.getData().forPath(epochs + "/" + name + "/outcome"),
                        StandardCharsets.UTF_8).split("\n");
                if (lines[0].equals("committed")) {
                    Map<String, String> snapshots = new TreeMap<>();
                    for (int i = 1; i < lines.length; i++) {
                        snapshots.put(lines[i].substring(0, lines[i].indexOf('=')),
                                lines[i].substring(lines[i].indexOf('=') + 1));
                    }
                    assertEquals(Set.copyOf(MEMBERS), snapshots.keySet(), "epoch " + epoch + " names every member");
                    committed.put(epoch, snapshots);
                } else {
                    assertEquals("aborted", lines[0]);
                    aborted.add(epoch);
                }
            }
        }
        assertFalse(committed.isEmpty(), "no epoch of group " + group + " was committed");
        return new GroupRecords(committed, aborted);
    }

    private void assertNoSnapshotOf(Set<Long> abortedEpochs) throws IOException {
        for (String member : MEMBERS) {
            for (String reason : snapshotReasons(dir.resolve("store-" + member))) {
                for (long epoch : abortedEpochs) {
                    assertFalse(reason.equals("epoch " + epoch), member + " kept a snapshot of aborted epoch " + epoch);
                }
            }
        }
    }

    private Map<String, ForkedJvm> startGroup(Jdk jdk, String name, String extra) throws IOException {
        return startGroup(jdk, name, extra, Map.of());
    }

    private Map<String, ForkedJvm> startGroup(Jdk jdk, String name, String extra, Map<String, String> arguments)
            throws IOException {
        Map<String, ForkedJvm> group = new LinkedHashMap<>();
        for (String member : MEMBERS) {
            Path store = dir.resolve("store-" + member);
            String options = "dir=" + store + ",interval=500ms,quiesce-timeout=1s,group=" + name + ",group.member="
                    + member + ",group.size=" + MEMBERS.size() + ",group.zookeeper=" + zookeeper.connectString()
                    + ",group.timeout=15s" + extra;
            ForkedJvm jvm = ForkedJvm.on(jdk).agent(options).classPath(CLASS_PATH)
                    .main(GroupApp.class, arguments.containsKey(member) ? new String[] {arguments.get(member)}
                            : new String[0])
                    .start();
            running.add(jvm);
            group.put(member, jvm);
        }
        return group;
    }

    /** Waits until every member has logged a committed epoch of at least {@code least}; the smallest such newest epoch. */
    private static long awaitCommittedOnAll(Map<String, ForkedJvm> group, long least) throws InterruptedException {
        long newest = Long.MAX_VALUE;
        for (ForkedJvm jvm : group.values()) {
            String line = jvm.awaitLine(l -> {
                Matcher m = COMMITTED.matcher(l);
                return m.find() && Long.parseLong(m.group(2)) >= least;
            }, TIMEOUT);
            assertNotNull(line, "no epoch of at least " + least + " committed:\n" + jvm.output());
            Matcher m = COMMITTED.matcher(line);
            assertTrue(m.find());
            newest = Math.min(newest, Long.parseLong(m.group(2)));
        }
        return newest;
    }

    private static Map<String, Long> awaitRestoredEpochs(Map<String, ForkedJvm> group) throws InterruptedException {
        Map<String, Long> restored = new LinkedHashMap<>();
        for (Map.Entry<String, ForkedJvm> member : group.entrySet()) {
            String line = member.getValue().awaitLine(l -> RESTORING.matcher(l).find(), TIMEOUT);
            assertNotNull(line, member.getKey() + " restored no epoch:\n" + member.getValue().output());
            Matcher m = RESTORING.matcher(line);
            assertTrue(m.find());
            restored.put(member.getKey(), Long.parseLong(m.group(2)));
        }
        return restored;
    }

    private static long startTicks(ForkedJvm jvm) throws InterruptedException {
        String line = jvm.awaitLineContaining("start ticks=", TIMEOUT);
        assertNotNull(line, jvm.output());
        return Long.parseLong(line.substring(line.indexOf("start ticks=") + "start ticks=".length()).trim());
    }

    private static long lastMaxWaitMillis(ForkedJvm jvm) {
        List<String> lines = jvm.lines();
        for (int i = lines.size() - 1; i >= 0; i--) {
            int at = lines.get(i).indexOf("maxWaitMs=");
            if (at >= 0) {
                return Long.parseLong(lines.get(i).substring(at + "maxWaitMs=".length()).trim());
            }
        }
        throw new AssertionError("no report of the longest wait:\n" + jvm.output());
    }

    private static void killAll(Map<String, ForkedJvm> group) throws InterruptedException {
        for (ForkedJvm jvm : group.values()) {
            jvm.kill9();
        }
    }

    /** Flips a byte in the middle of a snapshot's manifest, so that it no longer verifies. */
    private static void damageManifest(Path store, String snapshotId) throws IOException {
        Path manifest = store.resolve("manifests").resolve(String.format("snapshot-%016d.json", Long.parseLong(snapshotId)));
        byte[] bytes = Files.readAllBytes(manifest);
        bytes[bytes.length / 2] ^= 0x20;
        Files.write(manifest, bytes);
    }

    private static List<String> snapshotReasons(Path store) throws IOException {
        List<String> reasons = new ArrayList<>();
        try (FileSnapshotStore snapshots = FileSnapshotStore.openForReading(store)) {
            for (SnapshotRef ref : snapshots.list()) {
                reasons.add(snapshots.read(ref).reason());
            }
        }
        return reasons;
    }
}
