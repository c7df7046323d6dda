package io.stasis.agent.internal;

import io.stasis.agent.internal.config.OptionsException;

/**
 * When the agent cannot start as asked: one clear line, then the JVM stops, since running without
 * the state the user asked for would lose it. That holds for the part of start-up that runs beside
 * {@code main} too. Attached to a running application, the attach fails instead.
 */
public final class StartupFailure {

    private StartupFailure() {
    }

    public static void stop(Throwable failure, boolean attached) {
        stop(failure instanceof OptionsException ? failure.getMessage()
                : "the agent could not start: " + Log.describe(failure), attached);
    }

    public static void stop(String message, boolean attached) {
        Log.fatal(message);
        if (attached) {
            throw new IllegalArgumentException(message);
        }
        Runtime.getRuntime().halt(1);
    }
}
