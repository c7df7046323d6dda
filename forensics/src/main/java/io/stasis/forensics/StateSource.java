package io.stasis.forensics;

import java.time.Duration;
import java.util.List;

/**
 * The application's {@code @Checkpointed} state, captured at a consistent cut by the agent in its
 * own snapshot form (each root's values as Kryo bytes), for the {@code state/} part of a bundle.
 */
@FunctionalInterface
public interface StateSource {

    /** One root: a class's static fields or one instance's fields, as the agent's snapshots hold them. */
    record Root(String kind, String owner, String key, List<String> fields, byte[] data) {
        public Root {
            fields = List.copyOf(fields);
        }
    }

    /**
     * Captures the state now, waiting at most {@code timeout} for units of work to drain.
     *
     * @throws Exception with a message that says why nothing was captured
     */
    List<Root> capture(Duration timeout) throws Exception;
}
