package io.stasis.samples.bank;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stasis.agent.testing.ForkedJvm;
import io.stasis.agent.testing.Jdk;
import io.stasis.agent.testing.Jdks;
import io.stasis.agent.testing.ZooKeeperServer;
import io.stasis.api.Stasis;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bank of three JVMs under load, coordinated through a real ZooKeeper server: in each round a
 * random member (the coordinator as often as any other) is killed with {@code kill -9} at a random
 * moment, then the whole group is killed and started again. After every restart all members have
 * restored the same epoch, and the money in the accounts plus the money in outboxes not yet applied
 * by its receiver is exactly what the bank opened with: no transfer lost, none applied twice.
 */
class BankGroupCrashLoopIT {

    private static final int ROUNDS = Integer.getInteger("bank.rounds", 50);
    private static final List<String> MEMBERS = List.of("a", "b", "c");
    private static final int ACCOUNTS = 100;
    private static final long OPENING = 1000;
    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final Pattern RESTORING = Pattern.compile("member '(\\w+)': restoring epoch (\\d+) ");
    private static final Pattern COMMITTED = Pattern.compile("member '(\\w+)': epoch (\\d+) committed");

    @TempDir
    Path dir;

    @Test
    void everyRestartRestoresOneEpochOnEveryMemberWithTheMoneyIntact() throws Exception {
        Jdk jdk = Jdks.current();
        long seed = System.nanoTime();
        Random random = new Random(seed);
        System.out.println("bank crash loop, " + ROUNDS + " rounds, seed " + seed);
        String members = MEMBERS.stream().map(m -> m + "=" + freePort()).collect(Collectors.joining(","));
        long restoredEpochs = 0;
        long newestRestored = -1;
        try (ZooKeeperServer zookeeper = ZooKeeperServer.start(Files.createDirectory(dir.resolve("zookeeper")))) {
            for (int round = 0; round <= ROUNDS; round++) {
                Map<String, ForkedJvm> group = start(jdk, zookeeper, members);
                try {
                    Map<String, String> states = new LinkedHashMap<>();
                    for (Map.Entry<String, ForkedJvm> member : group.entrySet()) {
                        String line = member.getValue().awaitLine(l -> BankTotal.STATE.matcher(l).find(), TIMEOUT);
                        assertNotNull(line, "round " + round + ": " + member.getKey() + " did not start:\n"
                                + member.getValue().output());
                        states.put(member.getKey(), line);
                    }
                    assertEquals(MEMBERS.size() * ACCOUNTS * OPENING, BankTotal.of(states.values()),
                            "round " + round + " (seed " + seed + "): the money in accounts and unapplied outboxes,"
                                    + " as restored: " + states.values());
                    if (round > 0) {
                        long epoch = sameRestoredEpoch(group, round);
                        assertTrue(epoch >= newestRestored, "round " + round + " restored epoch " + epoch
                                + ", older than " + newestRestored + " restored before");
                        newestRestored = epoch;
                        restoredEpochs++;
                    }
                    if (round == ROUNDS) {
                        break;
                    }
                    // At least one epoch of this run is committed, then a random moment.
                    group.get("a").awaitLine(l -> COMMITTED.matcher(l).find(), TIMEOUT);
                    Thread.sleep(random.nextInt(1500));
                    String victim = MEMBERS.get(random.nextInt(MEMBERS.size()));
                    group.get(victim).kill9();
                    Thread.sleep(random.nextInt(500));
                } finally {
                    for (ForkedJvm jvm : group.values()) {
                        jvm.kill9();
                    }
                }
            }
        }
        assertEquals(ROUNDS, restoredEpochs, "every restart restored an epoch");
    }

    private Map<String, ForkedJvm> start(Jdk jdk, ZooKeeperServer zookeeper, String members) {
        Map<String, ForkedJvm> group = new LinkedHashMap<>();
        for (String member : MEMBERS) {
            String options = "dir=" + dir.resolve("store-" + member) + ",interval=300ms,quiesce-timeout=2s,keep=3"
                    + ",group=bank,group.member=" + member + ",group.size=" + MEMBERS.size()
                    + ",group.zookeeper=" + zookeeper.connectString() + ",group.timeout=20s";
            group.put(member, ForkedJvm.on(jdk).agent(options)
                    .classPath(ForkedJvm.classPathOf(BankMember.class, Stasis.class))
                    .main(BankMember.class, "--member=" + member, "--members=" + members,
                            "--accounts=" + ACCOUNTS, "--opening=" + OPENING)
                    .start());
        }
        return group;
    }

    private static long sameRestoredEpoch(Map<String, ForkedJvm> group, int round) throws InterruptedException {
        TreeSet<Long> epochs = new TreeSet<>();
        for (Map.Entry<String, ForkedJvm> member : group.entrySet()) {
            String line = member.getValue().awaitLine(l -> RESTORING.matcher(l).find(), Duration.ofSeconds(5));
            assertNotNull(line, "round " + round + ": " + member.getKey() + " restored no epoch:\n"
                    + member.getValue().output());
            Matcher m = RESTORING.matcher(line);
            assertTrue(m.find());
            epochs.add(Long.parseLong(m.group(2)));
        }
        assertEquals(1, epochs.size(), "round " + round + ": every member restores the same epoch: " + epochs);
        return epochs.first();
    }

    private static int freePort() {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
