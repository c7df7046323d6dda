package io.stasis.agent.internal.store;

import java.io.IOException;

/** Another process holds the store's writer lock. */
public final class StoreLockedException extends IOException {
    private static final long serialVersionUID = 1L;

    public StoreLockedException(String message) {
        super(message);
    }
}
