package io.stasis.agent.internal.group.zk;

import io.stasis.agent.internal.Log;
import io.stasis.agent.internal.config.GroupOptions;
import io.stasis.agent.internal.group.Coordination;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.data.Stat;

/**
 * A group's coordination on ZooKeeper, through Curator. Under {@code /stasis/groups/NAME}:
 * <ul>
 * <li>{@code members/ID}: ephemeral, one per member present, holding the committed epochs it can restore;</li>
 * <li>{@code leader}: Curator's {@link LeaderLatch}, electing the coordinator, which begins the epochs;</li>
 * <li>{@code epochs/e-NNNNNNNNNN}: one per epoch, numbered by ZooKeeper (sequential nodes), with
 *     {@code drained/ID} (the first barrier), {@code durable/ID} (holding the snapshot id) and
 *     {@code outcome}, created once: {@code committed} and every member's snapshot, or {@code aborted}
 *     and why. Whoever creates it first decides; nobody can change it afterwards, so an epoch is
 *     committed or aborted, never half of each, whichever members or coordinators die meanwhile.</li>
 * </ul>
 * Waits are on ZooKeeper watches, each bounded by a deadline.
 */
public final class ZkCoordination implements Coordination {

    private static final String EPOCH_PREFIX = "e-";
    private static final String COMMITTED = "committed";
    private static final String ABORTED = "aborted";
    /** Epoch records kept below the oldest of this many newest committed ones are removed. */
    private static final int COMMITTED_KEPT = 20;
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** How often a member waiting for the others rewrites its place, to show it is alive. */
    private static final Duration HEARTBEAT = Duration.ofMillis(300);

    private final GroupOptions options;
    private final Duration quiesceTimeout;
    private final CuratorFramework client;
    private final String root;
    private final String members;
    private final String epochs;
    /** Bumped by every watch that fires: a waiter that saw it unchanged may sleep. */
    private final AtomicLong changes = new AtomicLong();
    private final Watcher watcher = event -> changed();
    private volatile boolean closed;
    private LeaderLatch latch;
    private long joinedNanos;
    /** The other members' places as they were when this member joined: the last change of each. */
    private final Map<String, Long> placesAtJoin = new HashMap<>();
    /** What this member's place holds: the epochs it can restore. */
    private byte[] restorableData = new byte[0];

    public ZkCoordination(GroupOptions options, Duration quiesceTimeout) throws IOException {
        this.options = options;
        this.quiesceTimeout = quiesceTimeout;
        this.root = "/stasis/groups/" + options.name();
        this.members = root + "/members";
        this.epochs = root + "/epochs";
        this.client = CuratorFrameworkFactory.builder()
                .connectString(options.zookeeper())
                .sessionTimeoutMs((int) GroupOptions.SESSION_TIMEOUT.toMillis())
                .connectionTimeoutMs((int) CONNECT_TIMEOUT.toMillis())
                .retryPolicy(new ExponentialBackoffRetry(100, 3))
                .build();
        client.start();
        try {
            if (!client.blockUntilConnected((int) CONNECT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                client.close();
                throw new IOException("group '" + options.name() + "': ZooKeeper at " + options.zookeeper()
                        + " did not answer within " + CONNECT_TIMEOUT.toSeconds() + "s (is it running, and is"
                        + " group.zookeeper its address?)");
            }
            client.createContainers(members);
            client.createContainers(epochs);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            client.close();
            throw new IOException("interrupted while connecting to ZooKeeper at " + options.zookeeper(), e);
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            client.close();
            throw failure("connect to ZooKeeper at " + options.zookeeper() + " (option group.zookeeper)", e);
        }
    }

    @Override
    public List<Epoch> epochs() throws IOException {
        List<Epoch> epochList = new ArrayList<>();
        try {
            for (String name : client.getChildren().forPath(epochs)) {
                long epoch = epochNumber(name);
                if (epoch < 0) {
                    continue;
                }
                byte[] outcome = data(outcomePath(epoch));
                List<String> lines = outcome == null ? List.of() : lines(outcome);
                if (lines.isEmpty()) {
                    epochList.add(new Epoch(epoch, Outcome.State.UNKNOWN, "", Map.of()));
                } else if (lines.get(0).equals(COMMITTED)) {
                    Map<String, String> snapshots = new TreeMap<>();
                    for (String line : lines.subList(1, lines.size())) {
                        int eq = line.indexOf('=');
                        if (eq > 0) {
                            snapshots.put(line.substring(0, eq), line.substring(eq + 1));
                        }
                    }
                    epochList.add(new Epoch(epoch, Outcome.State.COMMITTED, "", snapshots));
                } else {
                    epochList.add(new Epoch(epoch, Outcome.State.ABORTED,
                            String.join("; ", lines.subList(1, lines.size())), Map.of()));
                }
            }
        } catch (Exception e) {
            throw failure("read the epochs of group '" + options.name() + "'", e);
        }
        epochList.sort(java.util.Comparator.comparingLong(Epoch::number));
        return epochList;
    }

    @Override
    public synchronized void join(List<Long> restorable) throws IOException {
        String place = members + "/" + options.member();
        try {
            long session = client.getZookeeperClient().getZooKeeper().getSessionId();
            Stat stat = client.checkExists().forPath(place);
            if (stat != null && stat.getEphemeralOwner() != session) {
                // Left by an earlier process of this member, whose session has not expired yet.
                client.delete().guaranteed().forPath(place);
            }
            placesAtJoin.clear();
            for (String member : client.getChildren().forPath(members)) {
                Stat other = client.checkExists().forPath(members + "/" + member);
                if (other != null && !member.equals(options.member())) {
                    placesAtJoin.put(member, other.getMzxid());
                }
            }
            joinedNanos = System.nanoTime();
            restorableData = encode(restorable);
            client.create().withMode(CreateMode.EPHEMERAL).forPath(place, restorableData);
        } catch (Exception e) {
            throw failure("join group '" + options.name() + "' as member '" + options.member() + "'", e);
        }
    }

    @Override
    public void restorable(List<Long> restorable) throws IOException {
        try {
            restorableData = encode(restorable);
            client.setData().forPath(members + "/" + options.member(), restorableData);
        } catch (Exception e) {
            throw failure("record the epochs member '" + options.member() + "' can restore", e);
        }
    }

    /**
     * A place is counted once it is known to belong to a live process: it was made or changed after
     * this member joined (members waiting here rewrite theirs every {@link #HEARTBEAT}), or it has
     * lasted twice the session timeout, which ZooKeeper would not let a dead process's place outlive.
     * A place left by a killed process, unchanged since, is not counted: its process's verdict is no
     * longer news of its store.
     */
    @Override
    public Map<String, List<Long>> awaitMembers(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long provenAlive = joinedNanos + GroupOptions.SESSION_TIMEOUT.multipliedBy(2).toNanos();
        String place = members + "/" + options.member();
        long lastBeat = System.nanoTime();
        while (true) {
            long seen = changes.get();
            Map<String, List<Long>> present = new TreeMap<>();
            try {
                if (System.nanoTime() - lastBeat >= HEARTBEAT.toNanos()) {
                    lastBeat = System.nanoTime();
                    client.setData().forPath(place, restorableData); // for the others: this member is alive
                }
                for (String member : client.getChildren().usingWatcher(watcher).forPath(members)) {
                    Stat stat = new Stat();
                    byte[] data = member.equals(options.member())
                            ? client.getData().storingStatIn(stat).forPath(place)
                            : client.getData().storingStatIn(stat).usingWatcher(watcher).forPath(members + "/" + member);
                    Long atJoin = placesAtJoin.get(member);
                    boolean changedSince = atJoin == null || atJoin != stat.getMzxid();
                    if (changedSince || System.nanoTime() - provenAlive >= 0) {
                        present.put(member, decode(data));
                    }
                }
            } catch (KeeperException.NoNodeException e) {
                continue; // a member left between the listing and the read
            } catch (Exception e) {
                throw failure("read the members of group '" + options.name() + "'", e);
            }
            long now = System.nanoTime();
            if (present.size() >= options.size() || now - deadline >= 0) {
                keepBeating(place, timeout);
                return present;
            }
            long wake = Math.min(deadline, lastBeat + HEARTBEAT.toNanos());
            awaitChange(seen, wake);
        }
    }

    /** For members of the same restart that are still waiting: this one goes on showing it is alive for a while. */
    private void keepBeating(String place, Duration period) {
        Thread beat = new Thread(() -> {
            long end = System.nanoTime() + period.toNanos();
            while (System.nanoTime() - end < 0 && sleepQuietly(HEARTBEAT)) {
                try {
                    client.setData().forPath(place, restorableData);
                } catch (Exception e) {
                    return; // gone, or ZooKeeper away: the others fall back on the session timeout
                }
            }
        }, "stasis-group-heartbeat");
        beat.setDaemon(true);
        beat.start();
    }

    @Override
    public synchronized void start(Participant participant, Duration interval) {
        Thread epochsThread = new Thread(() -> followEpochs(participant), "stasis-group-epochs");
        epochsThread.setDaemon(true);
        epochsThread.start();
        String candidates = root + "/leader";
        latch = new LeaderLatch(client, candidates, options.member());
        try {
            withdrawEarlierCandidacy(candidates);
            latch.start();
        } catch (Exception e) {
            Log.warn("group '" + options.name() + "': cannot stand for coordinator: " + Log.describe(e)
                    + "; this member still takes part in epochs");
            return;
        }
        if (interval != null) {
            Thread coordinator = new Thread(() -> coordinate(interval), "stasis-group-coordinator");
            coordinator.setDaemon(true);
            coordinator.start();
        }
    }

    /**
     * Removes the candidacy an earlier process of this member left (killed, its session not expired
     * yet), so that a restarted group has a coordinator at once rather than after the session timeout.
     */
    private void withdrawEarlierCandidacy(String candidates) throws Exception {
        client.createContainers(candidates);
        long session = client.getZookeeperClient().getZooKeeper().getSessionId();
        for (String candidate : client.getChildren().forPath(candidates)) {
            Stat stat = new Stat();
            byte[] id = data(candidates + "/" + candidate, stat);
            if (id != null && options.member().equals(new String(id, StandardCharsets.UTF_8))
                    && stat.getEphemeralOwner() != session) {
                try {
                    client.delete().forPath(candidates + "/" + candidate);
                } catch (KeeperException.NoNodeException e) {
                    // expired meanwhile
                }
            }
        }
    }

    /** Runs {@code participant} for each epoch that begins after this member started taking part. */
    private void followEpochs(Participant participant) {
        long last = -1;
        try {
            last = newestEpoch(client.getChildren().forPath(epochs));
        } catch (Exception e) {
            Log.warn("group '" + options.name() + "': cannot read the epochs: " + Log.describe(e) + "; trying again");
        }
        while (!closed) {
            long seen = changes.get();
            try {
                List<String> names = client.getChildren().usingWatcher(watcher).forPath(epochs);
                long newest = newestEpoch(names);
                if (newest > last) {
                    last = newest;
                    if (client.checkExists().forPath(outcomePath(newest)) == null) {
                        participant.epoch(newest);
                        continue;
                    }
                }
                awaitChange(seen, System.nanoTime() + Duration.ofSeconds(5).toNanos());
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                if (closed) {
                    return;
                }
                Log.warn("group '" + options.name() + "': cannot follow the epochs: " + Log.describe(e)
                        + "; trying again");
                sleepQuietly(Duration.ofSeconds(1));
            }
        }
    }

    /** The coordinator's loop: while this member leads, an epoch every {@code interval}, committed or aborted. */
    private void coordinate(Duration interval) {
        boolean leading = false;
        long waitingSince = 0;
        while (!closed) {
            if (!sleepQuietly(interval)) {
                return;
            }
            try {
                if (!latch.hasLeadership()) {
                    leading = false;
                    continue;
                }
                if (!leading) {
                    leading = true;
                    abortUnfinished();
                }
                int present = client.getChildren().forPath(members).size();
                if (present < options.size()) {
                    if (System.nanoTime() - waitingSince > Duration.ofMinutes(1).toNanos() || waitingSince == 0) {
                        waitingSince = System.nanoTime();
                        Log.warn("group '" + options.name() + "': no epoch begins while " + present + " of "
                                + options.size() + " members are present");
                    }
                    continue;
                }
                waitingSince = 0;
                runEpoch();
                prune();
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                if (!closed) {
                    Log.warn("group '" + options.name() + "': the coordinator could not run an epoch: "
                            + Log.describe(e) + "; trying again at the next interval");
                }
            }
        }
    }

    /** Begins an epoch and, once every member's snapshot is durable, commits it; aborts it at the deadline. */
    private void runEpoch() throws Exception {
        String path = client.create().withMode(CreateMode.PERSISTENT_SEQUENTIAL).forPath(epochs + "/" + EPOCH_PREFIX);
        long epoch = epochNumber(path.substring(path.lastIndexOf('/') + 1));
        long deadline = System.nanoTime() + quiesceTimeout.plus(options.timeout()).toNanos();
        String durable = path + "/durable";
        while (true) {
            long seen = changes.get();
            if (client.checkExists().usingWatcher(watcher).forPath(outcomePath(epoch)) != null) {
                return; // a member aborted it
            }
            List<String> written = children(durable, true);
            if (written.size() >= options.size()) {
                StringBuilder record = new StringBuilder(COMMITTED).append('\n');
                for (String member : written.stream().sorted().toList()) {
                    record.append(member).append('=')
                            .append(new String(client.getData().forPath(durable + "/" + member), StandardCharsets.UTF_8))
                            .append('\n');
                }
                decide(epoch, record.toString());
                return;
            }
            if (System.nanoTime() - deadline >= 0) {
                List<String> missing = new ArrayList<>(client.getChildren().forPath(members));
                missing.removeAll(written);
                decide(epoch, ABORTED + "\nthe snapshots of " + (written.isEmpty() ? "every member" : "member(s) "
                        + String.join(", ", missing.isEmpty() ? List.of("that left") : missing))
                        + " were not durable within quiesce-timeout + group.timeout");
                return;
            }
            awaitChange(seen, deadline);
        }
    }

    /** Epochs a coordinator left unfinished are aborted by the next one. */
    private void abortUnfinished() throws Exception {
        for (String name : client.getChildren().forPath(epochs)) {
            long epoch = epochNumber(name);
            if (epoch >= 0 && client.checkExists().forPath(outcomePath(epoch)) == null) {
                decide(epoch, ABORTED + "\nits coordinator changed before it ended");
            }
        }
    }

    /** Removes the records of epochs older than the newest {@link #COMMITTED_KEPT} committed ones. */
    private void prune() throws Exception {
        NavigableMap<Long, Map<String, String>> committed = committed();
        if (committed.size() <= COMMITTED_KEPT) {
            return;
        }
        long oldestKept = committed.descendingKeySet().stream().skip(COMMITTED_KEPT - 1).findFirst().orElseThrow();
        for (String name : client.getChildren().forPath(epochs)) {
            long epoch = epochNumber(name);
            if (epoch >= 0 && epoch < oldestKept) {
                client.delete().deletingChildrenIfNeeded().forPath(epochs + "/" + name);
            }
        }
    }

    @Override
    public String ready(long epoch, long deadlineNanos) throws InterruptedException {
        return barrier(epoch, "ready", deadlineNanos, "were not ready within group.timeout");
    }

    @Override
    public String drained(long epoch, long deadlineNanos) throws InterruptedException {
        return barrier(epoch, "drained", deadlineNanos, "had not drained within quiesce-timeout");
    }

    /**
     * Says this member has reached {@code name} in {@code epoch}, and waits until every member has;
     * at the deadline, aborts the epoch naming those who had not ({@code late}).
     */
    private String barrier(long epoch, String name, long deadlineNanos, String late) throws InterruptedException {
        String arrived = epochPath(epoch) + "/" + name;
        try {
            client.create().creatingParentContainersIfNeeded().forPath(arrived + "/" + options.member());
            while (true) {
                long seen = changes.get();
                // Arrivals first: once every member has arrived, one round trip ends the wait.
                List<String> done = children(arrived, true);
                if (done.size() >= options.size()) {
                    return null;
                }
                String aborted = abortedReason(epoch, true);
                if (aborted != null) {
                    return aborted;
                }
                if (System.nanoTime() - deadlineNanos >= 0) {
                    List<String> waiting = new ArrayList<>(client.getChildren().forPath(members));
                    waiting.removeAll(done);
                    String reason = "member(s) " + (waiting.isEmpty() ? "that left" : String.join(", ", waiting))
                            + " " + late;
                    abort(epoch, reason);
                    String decided = abortedReason(epoch, false); // this member's, or one decided first
                    return decided != null ? decided : options.member() + ": " + reason;
                }
                awaitChange(seen, deadlineNanos);
            }
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            String reason = "ZooKeeper failed during the barrier: " + Log.describe(e);
            abort(epoch, reason);
            return reason;
        }
    }

    @Override
    public void durable(long epoch, String snapshotId) throws IOException {
        try {
            client.create().creatingParentContainersIfNeeded()
                    .forPath(epochPath(epoch) + "/durable/" + options.member(), snapshotId.getBytes(StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw failure("record snapshot " + snapshotId + " for epoch " + epoch, e);
        }
    }

    @Override
    public void abort(long epoch, String reason) {
        try {
            decide(epoch, ABORTED + "\n" + options.member() + ": " + reason);
        } catch (Exception e) {
            Log.warn("group '" + options.name() + "': could not abort epoch " + epoch + ": " + Log.describe(e)
                    + "; its coordinator aborts it at its deadline");
        }
    }

    @Override
    public Outcome awaitOutcome(long epoch, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long seen = changes.get();
            try {
                byte[] outcome = client.getData().usingWatcher(watcher).forPath(outcomePath(epoch));
                List<String> lines = lines(outcome);
                return lines.get(0).equals(COMMITTED) ? new Outcome(Outcome.State.COMMITTED, "")
                        : new Outcome(Outcome.State.ABORTED, String.join("; ", lines.subList(1, lines.size())));
            } catch (KeeperException.NoNodeException e) {
                // not decided yet: the watch fires when it is
            } catch (Exception e) {
                if (System.nanoTime() - deadline >= 0) {
                    return new Outcome(Outcome.State.UNKNOWN, "ZooKeeper failed: " + Log.describe(e));
                }
                sleepQuietly(Duration.ofMillis(200));
                continue;
            }
            if (System.nanoTime() - deadline >= 0) {
                return new Outcome(Outcome.State.UNKNOWN, "not decided within " + timeout.toSeconds() + "s");
            }
            awaitChange(seen, deadline);
        }
    }

    @Override
    public void close() {
        closed = true;
        changed();
        try {
            if (latch != null) {
                latch.close();
            }
        } catch (IOException | RuntimeException e) {
            // the session's end releases the leadership too
        }
        client.close();
    }

    /** Creates the epoch's outcome unless it exists: the first decision stands. */
    private void decide(long epoch, String outcome) throws Exception {
        try {
            client.create().creatingParentContainersIfNeeded()
                    .forPath(outcomePath(epoch), outcome.getBytes(StandardCharsets.UTF_8));
        } catch (KeeperException.NodeExistsException e) {
            // decided already
        }
    }

    /** Why the epoch was aborted, or {@code null} while it is undecided or when it was committed. */
    private String abortedReason(long epoch, boolean watch) throws Exception {
        try {
            byte[] data = watch ? client.getData().usingWatcher(watcher).forPath(outcomePath(epoch))
                    : client.getData().forPath(outcomePath(epoch));
            List<String> lines = lines(data);
            return lines.get(0).equals(ABORTED) ? String.join("; ", lines.subList(1, lines.size())) : null;
        } catch (KeeperException.NoNodeException e) {
            if (watch) {
                client.checkExists().usingWatcher(watcher).forPath(outcomePath(epoch));
            }
            return null;
        }
    }

    private List<String> children(String path, boolean watch) throws Exception {
        try {
            return watch ? client.getChildren().usingWatcher(watcher).forPath(path) : client.getChildren().forPath(path);
        } catch (KeeperException.NoNodeException e) {
            if (watch) {
                client.checkExists().usingWatcher(watcher).forPath(path);
            }
            return List.of();
        }
    }

    private byte[] data(String path) throws Exception {
        return data(path, new Stat());
    }

    private byte[] data(String path, Stat stat) throws Exception {
        try {
            return client.getData().storingStatIn(stat).forPath(path);
        } catch (KeeperException.NoNodeException e) {
            return null;
        }
    }

    private void changed() {
        changes.incrementAndGet();
        synchronized (changes) {
            changes.notifyAll();
        }
    }

    /** Waits until a watch fires after {@code seen} was read, or the deadline. */
    private void awaitChange(long seen, long deadlineNanos) throws InterruptedException {
        synchronized (changes) {
            while (changes.get() == seen && !closed) {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                TimeUnit.NANOSECONDS.timedWait(changes, left);
            }
        }
    }

    /** @return false when this coordination was closed or the thread interrupted meanwhile */
    private boolean sleepQuietly(Duration duration) {
        long deadline = System.nanoTime() + duration.toNanos();
        try {
            synchronized (changes) {
                while (!closed) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return true;
                    }
                    TimeUnit.NANOSECONDS.timedWait(changes, left);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    private String epochPath(long epoch) {
        return epochs + "/" + EPOCH_PREFIX + String.format("%010d", epoch);
    }

    private String outcomePath(long epoch) {
        return epochPath(epoch) + "/outcome";
    }

    private static long newestEpoch(List<String> names) {
        return names.stream().mapToLong(ZkCoordination::epochNumber).max().orElse(-1);
    }

    private static long epochNumber(String name) {
        if (!name.startsWith(EPOCH_PREFIX)) {
            return -1;
        }
        try {
            return Long.parseLong(name.substring(EPOCH_PREFIX.length()));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static byte[] encode(List<Long> epochs) {
        return epochs.stream().map(String::valueOf).collect(Collectors.joining(",")).getBytes(StandardCharsets.UTF_8);
    }

    private static List<Long> decode(byte[] data) {
        List<Long> epochs = new ArrayList<>();
        if (data != null) {
            for (String part : new String(data, StandardCharsets.UTF_8).split(",")) {
                try {
                    epochs.add(Long.parseLong(part.trim()));
                } catch (NumberFormatException e) {
                    // not an epoch: ignored, as if that member could not restore it
                }
            }
        }
        return epochs;
    }

    private static List<String> lines(byte[] data) {
        List<String> lines = new ArrayList<>(List.of(new String(data, StandardCharsets.UTF_8).split("\n")));
        if (lines.isEmpty()) {
            lines.add("");
        }
        return lines;
    }

    private IOException failure(String what, Exception e) {
        return new IOException("group '" + options.name() + "': cannot " + what + ": " + Log.describe(e), e);
    }
}
