package io.stasis.agent.internal.state;

/** A checkpoint that cannot be taken; the message says why, for the person reading the log. */
public final class CaptureException extends Exception {
    private static final long serialVersionUID = 1L;

    public CaptureException(String message) {
        super(message);
    }

    public CaptureException(String message, Throwable cause) {
        super(message, cause);
    }
}
