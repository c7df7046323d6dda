package io.stasis.agent.internal.group;

import io.stasis.agent.internal.Log;
import io.stasis.agent.internal.capture.CheckpointException;
import io.stasis.agent.internal.capture.Checkpointer;
import io.stasis.agent.internal.config.GroupOptions;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A member's part in each epoch: close the gate and drain; wait at the barrier until every member
 * has drained (within {@code quiesce-timeout}, so no member's application is stopped longer); capture
 * and open the gate; write the snapshot; say it is durable; and keep it only if the epoch is
 * committed. A member that cannot drain or write aborts the epoch for everyone.
 */
public final class GroupMember implements Coordination.Participant {

    private final Coordination coordination;
    private final Checkpointer checkpointer;
    private final GroupOptions group;
    private final Duration quiesceTimeout;
    private final int keep;
    /** The committed epochs this member can restore, newest first. */
    private final List<Long> restorable;

    public GroupMember(Coordination coordination, Checkpointer checkpointer, GroupOptions group, Duration quiesceTimeout,
                       int keep, List<Long> restorable) {
        this.coordination = coordination;
        this.checkpointer = checkpointer;
        this.group = group;
        this.quiesceTimeout = quiesceTimeout;
        this.keep = keep;
        this.restorable = new ArrayList<>(restorable);
    }

    @Override
    public void epoch(long epoch) throws InterruptedException {
        String reason = "epoch " + epoch;
        Checkpointer.Committed committed;
        try {
            committed = checkpointer.checkpointInEpoch(reason, new Checkpointer.CutBarrier() {
                @Override
                public String awaitReady() throws InterruptedException {
                    return coordination.ready(epoch, System.nanoTime() + group.timeout().toNanos());
                }

                @Override
                public String awaitOthers(long deadlineNanos) throws InterruptedException {
                    return coordination.drained(epoch, deadlineNanos);
                }
            });
        } catch (CheckpointException e) {
            aborted(epoch, e.why());
            return;
        } catch (RuntimeException e) {
            aborted(epoch, Log.describe(e));
            return;
        }
        try {
            coordination.durable(epoch, committed.ref().id());
        } catch (IOException e) {
            coordination.abort(epoch, "could not record its snapshot: " + Log.describe(e));
        }
        Coordination.Outcome outcome = coordination.awaitOutcome(epoch, quiesceTimeout.plus(group.timeout()));
        switch (outcome.state()) {
            case COMMITTED -> committed(epoch, committed);
            case ABORTED -> discard(epoch, committed, outcome.reason());
            case UNKNOWN -> Log.warn(prefix() + "the end of epoch " + epoch + " is not known (" + outcome.reason()
                    + "); snapshot " + committed.ref().id() + " is kept, and restored only if the epoch was committed");
        }
    }

    private void committed(long epoch, Checkpointer.Committed committed) {
        Log.info(prefix() + "epoch " + epoch + " committed: snapshot " + committed.ref().id() + ", "
                + committed.ref().bytes() + " bytes, pause " + Log.millis(committed.pauseNanos(), 3)
                + " ms");
        restorable.add(0, epoch);
        while (restorable.size() > keep) {
            restorable.remove(restorable.size() - 1);
        }
        try {
            coordination.restorable(List.copyOf(restorable));
        } catch (IOException e) {
            Log.warn(prefix() + Log.describe(e));
        }
    }

    /** Before this member's snapshot was written: aborts the epoch for everyone, unless another member did first. */
    private void aborted(long epoch, String why) {
        coordination.abort(epoch, why);
        Log.warn(prefix() + "epoch " + epoch + " aborted: " + why + "; the application carries on");
    }

    private void discard(long epoch, Checkpointer.Committed committed, String why) {
        try {
            checkpointer.discard(committed.ref());
            Log.warn(prefix() + "epoch " + epoch + " aborted: " + why + "; snapshot " + committed.ref().id()
                    + " removed, and the application carries on");
        } catch (IOException | RuntimeException e) {
            Log.warn(prefix() + "epoch " + epoch + " aborted: " + why + "; snapshot " + committed.ref().id()
                    + " could not be removed (" + Log.describe(e) + "), but it is never restored, since its epoch"
                    + " was not committed");
        }
    }

    private String prefix() {
        return "group '" + group.name() + "', member '" + group.member() + "': ";
    }
}
