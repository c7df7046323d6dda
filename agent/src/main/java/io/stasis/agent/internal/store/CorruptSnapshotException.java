package io.stasis.agent.internal.store;

import java.io.IOException;

/** A snapshot that exists but does not verify: torn, truncated or altered. */
public class CorruptSnapshotException extends IOException {
    private static final long serialVersionUID = 1L;

    public CorruptSnapshotException(String message) {
        super(message);
    }
}
