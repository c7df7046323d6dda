package io.stasis.bootstrap;

import java.util.Map;

/**
 * What the {@code io.stasis.api.Stasis} facade calls, found by name in the bootstrap class loader.
 * Values cross class loaders as JDK types only.
 */
public final class FacadeBridge {

    /** The agent's side of the facade. */
    public interface Handler {
        Map<String, Object> checkpoint(String reason);

        Map<String, Object> lastRestore();

        /** Writes a forensic bundle now; returns its file. */
        String incident(String reason);
    }

    private static volatile Handler handler;

    private FacadeBridge() {
    }

    public static void install(Handler newHandler) {
        handler = newHandler;
    }

    public static boolean isActive() {
        return handler != null;
    }

    public static Map<String, Object> checkpoint(String reason) {
        return active().checkpoint(reason);
    }

    public static Map<String, Object> lastRestore() {
        return active().lastRestore();
    }

    public static String incident(String reason) {
        return active().incident(reason);
    }

    private static Handler active() {
        Handler current = handler;
        if (current == null) {
            throw new IllegalStateException("the Stasis agent is not running in this JVM");
        }
        return current;
    }
}
