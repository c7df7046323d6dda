package io.stasis.agent.internal.group;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * What a member of a group asks of the coordination service: the record of committed epochs, the
 * members present, and the barriers of an epoch. One implementation, on ZooKeeper through Curator
 * ({@code zk.ZkCoordination}), loaded by a private class loader; this interface names only JDK types
 * so that nothing of ZooKeeper leaks into the rest of the agent.
 */
public interface Coordination extends AutoCloseable {

    /** The committed epochs, oldest first: for each, every member's snapshot id. */
    default NavigableMap<Long, Map<String, String>> committed() throws IOException {
        NavigableMap<Long, Map<String, String>> committed = new TreeMap<>();
        for (Epoch epoch : epochs()) {
            if (epoch.state() == Outcome.State.COMMITTED) {
                committed.put(epoch.number(), epoch.snapshots());
            }
        }
        return committed;
    }

    /** Every epoch on record, oldest first; one not decided yet is {@link Outcome.State#UNKNOWN}. */
    List<Epoch> epochs() throws IOException;

    /**
     * Announces this member, present while its process lives, with the committed epochs whose
     * snapshot it holds and has verified (newest first). A place left by an earlier process of the
     * same member is taken over.
     */
    void join(List<Long> restorable) throws IOException;

    /** Updates the epochs this member can restore, after it committed a new one. */
    void restorable(List<Long> restorable) throws IOException;

    /**
     * The members present and the epochs each can restore, once every member of the group is known
     * to be present (a place left by a dead process is not counted), or when {@code timeout} has
     * passed, with those known by then. Includes this member.
     */
    Map<String, List<Long>> awaitMembers(Duration timeout) throws IOException, InterruptedException;

    /**
     * Starts taking part in epochs: {@code participant} is called for each epoch that begins from now
     * on, one at a time, on a thread of the coordination's own. While this member is the group's
     * coordinator it also begins an epoch every {@code interval} (none when it is {@code null}) and
     * commits or aborts it.
     */
    void start(Participant participant, Duration interval);

    /**
     * Says this member is about to close its gate for {@code epoch}, its application still running,
     * and waits until every member is: so that the gates close within moments of each other, and
     * the barrier inside the pause ({@link #drained}) waits for a drain, not for a slow start.
     *
     * @return {@code null} when every member is ready; otherwise why the epoch is given up
     */
    String ready(long epoch, long deadlineNanos) throws InterruptedException;

    /**
     * Says this member has drained for {@code epoch}, and waits until every member has.
     *
     * @param deadlineNanos when to give up ({@link System#nanoTime})
     * @return {@code null} when every member has drained; otherwise why the epoch is given up (it is
     *         then aborted for everyone)
     */
    String drained(long epoch, long deadlineNanos) throws InterruptedException;

    /** Says this member's snapshot for {@code epoch} is durable. */
    void durable(long epoch, String snapshotId) throws IOException;

    /** Aborts {@code epoch} for every member, unless it was already committed or aborted. */
    void abort(long epoch, String reason);

    /** How {@code epoch} ended, waiting for at most {@code timeout}. */
    Outcome awaitOutcome(long epoch, Duration timeout) throws InterruptedException;

    @Override
    void close();

    /**
     * An epoch as recorded.
     *
     * @param reason    why it was aborted; empty otherwise
     * @param snapshots for a committed epoch, every member's snapshot id
     */
    record Epoch(long number, Outcome.State state, String reason, Map<String, String> snapshots) {
    }

    /** Takes this member's part in one epoch. */
    interface Participant {
        void epoch(long epoch) throws InterruptedException;
    }

    /**
     * How an epoch ended.
     *
     * @param state  whether it was committed, aborted, or is not known yet
     * @param reason why it was aborted, or why its end is not known
     */
    record Outcome(State state, String reason) {

        public enum State { COMMITTED, ABORTED, UNKNOWN }
    }
}
