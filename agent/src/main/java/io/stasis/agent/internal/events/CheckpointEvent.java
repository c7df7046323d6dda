package io.stasis.agent.internal.events;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

@Name("io.stasis.Checkpoint")
@Label("Checkpoint")
@Category("Stasis")
@Description("A checkpoint. Its duration is the pause the application saw: units of work draining and the roots"
        + " being serialized; writing to the store comes after (io.stasis.CheckpointWrite).")
@StackTrace(false)
final class CheckpointEvent extends jdk.jfr.Event {

    @Label("Reason")
    @Description("interval, exit, image, or what Stasis.checkpoint was given")
    String reason;

    @Label("Outcome")
    @Description("committed, abandoned (units of work still in flight after quiesce-timeout), failed (capture or"
            + " write), refused (a full-process image is being taken)")
    String outcome;

    @Label("Sequence")
    @Description("The snapshot's sequence number")
    long sequence;

    @Label("Roots")
    @Description("Roots in the snapshot, those waiting for their owner included")
    int roots;

    @Label("Serialized Size")
    @Description("The roots' serialized data")
    @DataAmount
    long serializedBytes;

    @Label("Stored Size")
    @Description("What the snapshot added to the store: new chunks and its manifest")
    @DataAmount
    long storedBytes;

    @Label("Failure")
    @Description("Why it was not committed; empty when it was")
    String failure;
}
