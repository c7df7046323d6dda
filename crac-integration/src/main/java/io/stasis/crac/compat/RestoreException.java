package io.stasis.crac.compat;

/** Resources failed after a checkpoint or restore; each cause is a suppressed exception. */
public class RestoreException extends Exception {

    private static final long serialVersionUID = 1L;

    public RestoreException() {
    }

    public RestoreException(String message) {
        super(message);
    }
}
