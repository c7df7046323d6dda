package io.stasis.agent.internal.store;

/** A snapshot encrypted with another key than the one given, or with one when none is given. */
public final class WrongKeyException extends CorruptSnapshotException {
    private static final long serialVersionUID = 1L;

    WrongKeyException(String file, String written, String given) {
        super(file + (given == null ? " is encrypted (key " + written + ") and no encryption-key is set"
                : " is encrypted with key " + written + ", not with the encryption-key given (key " + given + ")"));
    }
}
