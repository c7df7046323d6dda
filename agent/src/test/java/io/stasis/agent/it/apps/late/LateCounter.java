package io.stasis.agent.it.apps.late;

import io.stasis.api.Checkpointed;
import io.stasis.api.QuiescePoint;

/** State in a class that only a child class loader defines, long after start-up ({@code LateLoaderApp}). */
public final class LateCounter {

    @Checkpointed
    static long count;

    private LateCounter() {
    }

    @QuiescePoint
    public static long increment() {
        return ++count;
    }
}
