package io.stasis.agent.internal.events;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

@Name("io.stasis.CheckpointWrite")
@Label("Checkpoint Write")
@Category("Stasis")
@Description("A snapshot written to the store after the pause: chunking, encoding (compression, hashing,"
        + " encryption), the pack file written and made durable, the manifest published. Its duration is the whole write.")
@StackTrace(false)
final class CheckpointWriteEvent extends jdk.jfr.Event {

    @Label("Sequence")
    long sequence;

    @Label("Outcome")
    @Description("written or failed")
    String outcome;

    @Label("Serialized Size")
    @DataAmount
    long serializedBytes;

    @Label("Chunks")
    @Description("Chunks the snapshot references")
    int chunks;

    @Label("New Chunks")
    @Description("Chunks the store did not hold yet, written in this snapshot's pack")
    int newChunks;

    @Label("Pack Size")
    @Description("Bytes written to the pack file (new chunks, as stored)")
    @DataAmount
    long packBytes;

    @Label("Manifest Size")
    @DataAmount
    long manifestBytes;

    @Label("Chunking Time")
    @Timespan
    long chunkingTime;

    @Label("Encoding Time")
    @Description("Waiting for the compression, hashing and encryption of the chunks, beyond what overlapped chunking and pack writes")
    @Timespan
    long encodingTime;

    @Label("Pack Write Time")
    @Timespan
    long packWriteTime;

    @Label("Pack Fsync Time")
    @Description("fsync of the pack, atomic rename, fsync of its directory")
    @Timespan
    long fsyncTime;

    @Label("Publish Time")
    @Description("The manifest written, fsynced and renamed into place: the snapshot becomes visible")
    @Timespan
    long publishTime;

    @Label("Failure")
    String failure;
}
