package io.stasis.agent.internal.capture;

/** A checkpoint that was not taken or not written; the application is untouched. */
public final class CheckpointException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String why;

    public CheckpointException(String message, Throwable cause) {
        this(message, message, cause);
    }

    /** @param why the reason alone, without what the message says around it (which checkpoint, what follows) */
    public CheckpointException(String message, String why, Throwable cause) {
        super(message, cause);
        this.why = why;
    }

    /** The reason alone, for a message of its own (a group's aborted epoch). */
    public String why() {
        return why;
    }
}
