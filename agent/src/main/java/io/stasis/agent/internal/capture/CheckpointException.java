package io.stasis.agent.internal.capture;

/** A checkpoint that was not taken or not written; the application is untouched. */
public final class CheckpointException extends Exception {
    private static final long serialVersionUID = 1L;

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
