package io.stasis.crac.image;

/** An image cannot be taken or used; the message says why and what to do. */
public final class ImageException extends Exception {

    private static final long serialVersionUID = 1L;

    public ImageException(String message) {
        super(message);
    }

    public ImageException(String message, Throwable cause) {
        super(message, cause);
    }
}
