package io.stasis.benchmarks;

import io.stasis.api.Checkpointed;
import java.util.List;

/**
 * Owns the benchmark's checkpointed state, as an application class would; with {@link Second},
 * {@link Third} and {@link Fourth}, a state split over up to four roots, as an application with
 * several owners of state has it.
 */
public final class StateHolder {

    @Checkpointed
    static MixedState state;

    static final class Second {
        @Checkpointed
        static MixedState state;
    }

    static final class Third {
        @Checkpointed
        static MixedState state;
    }

    static final class Fourth {
        @Checkpointed
        static MixedState state;
    }

    /** The owners, in order: a state of {@code n} roots has the first {@code n}. */
    static final List<Class<?>> OWNERS = List.of(StateHolder.class, Second.class, Third.class, Fourth.class);

    private StateHolder() {
    }

    /** Sets the first {@code parts.length} owners' state (at most four). */
    static void set(MixedState... parts) {
        state = parts[0];
        Second.state = parts.length > 1 ? parts[1] : null;
        Third.state = parts.length > 2 ? parts[2] : null;
        Fourth.state = parts.length > 3 ? parts[3] : null;
    }
}
