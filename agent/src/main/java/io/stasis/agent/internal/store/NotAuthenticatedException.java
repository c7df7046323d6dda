package io.stasis.agent.internal.store;

/**
 * A plain snapshot in an encrypted store: its checksum is one anyone can compute, so nothing
 * vouches that this store's writer wrote it. Not read unless {@code encryption.accept-plain=true}.
 */
public final class NotAuthenticatedException extends CorruptSnapshotException {
    private static final long serialVersionUID = 1L;

    NotAuthenticatedException(String file) {
        super(file + " is not authenticated: it is a plain snapshot in a store read with an encryption-key;"
                + " to migrate a store that was plain, start once with encryption.accept-plain=true");
    }
}
