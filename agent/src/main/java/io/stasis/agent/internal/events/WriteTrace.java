package io.stasis.agent.internal.events;

/**
 * One snapshot written to the store as an {@code io.stasis.CheckpointWrite} event; the store adds
 * each stage's time as it goes. When no recording wants the event it is a shared instance that
 * does nothing.
 */
public final class WriteTrace {

    private static final WriteTrace NONE = new WriteTrace(null);

    private final CheckpointWriteEvent event;

    private WriteTrace(CheckpointWriteEvent event) {
        this.event = event;
    }

    /** Begins the event's duration now. */
    public static WriteTrace start(long sequence) {
        if (!Jfr.initialized()) {
            return NONE;
        }
        CheckpointWriteEvent event = new CheckpointWriteEvent();
        if (!event.isEnabled()) {
            return NONE;
        }
        event.sequence = sequence;
        event.begin();
        return new WriteTrace(event);
    }

    public void chunking(long nanos) {
        if (event != null) {
            event.chunkingTime += nanos;
        }
    }

    public void encoding(long nanos) {
        if (event != null) {
            event.encodingTime += nanos;
        }
    }

    public void packWrite(long nanos) {
        if (event != null) {
            event.packWriteTime += nanos;
        }
    }

    public void fsync(long nanos) {
        if (event != null) {
            event.fsyncTime = nanos;
        }
    }

    public void publish(long nanos) {
        if (event != null) {
            event.publishTime = nanos;
        }
    }

    public void written(long serializedBytes, int chunks, int newChunks, long packBytes, long manifestBytes) {
        if (event != null && event.shouldCommit()) {
            event.outcome = "written";
            event.serializedBytes = serializedBytes;
            event.chunks = chunks;
            event.newChunks = newChunks;
            event.packBytes = packBytes;
            event.manifestBytes = manifestBytes;
            event.failure = "";
            event.commit();
        }
    }

    public void failed(String failure) {
        if (event != null && event.shouldCommit()) {
            event.outcome = "failed";
            event.failure = failure;
            event.commit();
        }
    }
}
