package io.stasis.crac.compat;

/** A checkpoint did not happen; each cause is a suppressed exception. */
public class CheckpointException extends Exception {

    private static final long serialVersionUID = 1L;

    public CheckpointException() {
    }

    public CheckpointException(String message) {
        super(message);
    }
}
