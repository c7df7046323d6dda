package io.stasis.agent.internal.store;

import java.io.IOException;

/** A snapshot that exists but does not verify: torn, truncated or altered. */
public class CorruptSnapshotException extends IOException {
    private static final long serialVersionUID = 1L;

    public CorruptSnapshotException(String message) {
        super(message);
    }

    /** A snapshot that failed while it was read, for a reason other than this exception. */
    static CorruptSnapshotException unreadable(SnapshotRef ref, Throwable cause) {
        CorruptSnapshotException damaged = new CorruptSnapshotException("snapshot " + ref.id()
                + " could not be read: " + cause);
        damaged.initCause(cause);
        return damaged;
    }
}
