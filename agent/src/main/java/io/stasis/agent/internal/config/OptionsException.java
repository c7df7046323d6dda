package io.stasis.agent.internal.config;

/** A bad option: its message is the one line shown to the user, naming the key. */
public final class OptionsException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public OptionsException(String message) {
        super(message);
    }
}
