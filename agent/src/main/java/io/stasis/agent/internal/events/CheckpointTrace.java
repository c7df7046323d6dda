package io.stasis.agent.internal.events;

/**
 * One checkpoint as an {@code io.stasis.Checkpoint} event. Made before the gate closes, so that the
 * event class is never loaded inside the pause; when no recording wants the event it is a shared
 * instance that does nothing.
 */
public final class CheckpointTrace {

    private static final CheckpointTrace NONE = new CheckpointTrace(null);

    private final CheckpointEvent event;
    private String outcome;

    private CheckpointTrace(CheckpointEvent event) {
        this.event = event;
    }

    public static CheckpointTrace start(String reason) {
        if (!Jfr.initialized()) {
            return NONE;
        }
        CheckpointEvent event = new CheckpointEvent();
        if (!event.isEnabled()) {
            return NONE;
        }
        event.reason = reason;
        return new CheckpointTrace(event);
    }

    /** The gate has closed: the pause, and the event's duration, begin. */
    public void pauseBegins() {
        if (event != null) {
            event.begin();
        }
    }

    /** The gate has opened (or stays closed for an image): the pause is over. */
    public void pauseEnds() {
        if (event != null) {
            event.end();
        }
    }

    public void sequence(long sequence) {
        if (event != null) {
            event.sequence = sequence;
        }
    }

    /** What the cut captured. */
    public void captured(int roots, long serializedBytes) {
        if (event != null) {
            event.roots = roots;
            event.serializedBytes = serializedBytes;
        }
    }

    /** Names the outcome of a checkpoint that will not be committed, when it is not a plain failure. */
    public void outcome(String notCommitted) {
        if (event != null) {
            outcome = notCommitted;
        }
    }

    public void committed(long storedBytes) {
        if (event != null && event.shouldCommit()) {
            event.outcome = "committed";
            event.storedBytes = storedBytes;
            event.failure = "";
            event.commit();
        }
    }

    /** A periodic checkpoint whose state was the last snapshot's: nothing was written. */
    public void unchanged() {
        if (event != null && event.shouldCommit()) {
            event.outcome = "unchanged";
            event.storedBytes = 0;
            event.failure = "";
            event.commit();
        }
    }

    public void notCommitted(String failure) {
        if (event != null && event.shouldCommit()) {
            event.outcome = outcome != null ? outcome : "failed";
            event.failure = failure;
            event.commit();
        }
    }
}
