package io.stasis.benchmarks;

import io.stasis.api.Checkpointed;

/** Owns the benchmark's checkpointed state, as an application class would. */
public final class StateHolder {

    @Checkpointed
    static MixedState state;

    private StateHolder() {
    }
}
