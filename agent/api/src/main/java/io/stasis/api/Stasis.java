package io.stasis.api;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The application's view of the Stasis agent.
 *
 * <p>Works from any class loader: the agent publishes a small bridge on the bootstrap class path,
 * and this facade finds it there. Without the agent, {@link #isActive()} is {@code false},
 * {@link #checkpoint(String)} throws, and {@link #lastRestore()} says that nothing was restored.
 */
public final class Stasis {

    private static final String BRIDGE = "io.stasis.bootstrap.FacadeBridge";

    private Stasis() {
    }

    /** Whether the Stasis agent is running in this JVM. */
    public static boolean isActive() {
        Bridge bridge = Bridge.find();
        return bridge != null && invoke(bridge.active()) == Boolean.TRUE;
    }

    /**
     * Takes a snapshot now: waits for units of work in flight to finish (up to the agent's
     * {@code quiesce-timeout}), captures every checkpointed root, and writes it durably.
     *
     * @param reason recorded with the snapshot, for people reading the store
     * @return the committed snapshot
     * @throws IllegalStateException when the agent is not running, or the checkpoint failed (the
     *                               message says why; the application's state is untouched)
     */
    public static CheckpointInfo checkpoint(String reason) {
        if (!isActive()) {
            throw new IllegalStateException("the Stasis agent is not running in this JVM; "
                    + "start the JVM with -javaagent:stasis-agent.jar to take checkpoints");
        }
        Map<String, Object> m = invoke(Bridge.find().checkpoint(), reason == null ? "manual" : reason);
        return new CheckpointInfo((String) m.get("id"), (Long) m.get("sequence"), (Long) m.get("bytes"),
                Duration.ofNanos((Long) m.get("pauseNanos")), (String) m.get("reason"),
                Instant.ofEpochMilli((Long) m.get("timeMillis")));
    }

    /** What was restored when this JVM started (and, as restore is lazy, what has been applied since). */
    @SuppressWarnings("unchecked")
    public static RestoreInfo lastRestore() {
        if (!isActive()) {
            return RestoreInfo.none("the Stasis agent is not running in this JVM");
        }
        Map<String, Object> m = invoke(Bridge.find().lastRestore());
        Long timeMillis = (Long) m.get("timeMillis");
        return new RestoreInfo(RestoreInfo.Source.valueOf((String) m.get("source")), (String) m.get("id"),
                (Long) m.get("sequence"), timeMillis == null ? null : Instant.ofEpochMilli(timeMillis),
                (List<String>) m.get("restored"), (List<String>) m.get("pending"),
                (Map<String, String>) m.get("skipped"), (String) m.get("message"));
    }

    /**
     * Writes an encrypted forensic bundle now (agent option {@code forensics=on}): thread dumps,
     * recent JVM events, memory statistics and the checkpointed state, readable only by the
     * configured recipients. Waits until it is written.
     *
     * @param reason recorded in the bundle's manifest
     * @return the bundle's file
     * @throws IllegalStateException when the agent is not running, forensics is off, or the bundle
     *                               could not be written (the message says why)
     */
    public static java.nio.file.Path incident(String reason) {
        if (!isActive()) {
            throw new IllegalStateException("the Stasis agent is not running in this JVM; "
                    + "start the JVM with -javaagent:stasis-agent.jar=forensics=on,... to capture incidents");
        }
        String file = invoke(Bridge.find().incident(), reason == null ? "manual request" : reason);
        return java.nio.file.Path.of(file);
    }

    @SuppressWarnings("unchecked")
    private static <T> T invoke(MethodHandle handle, Object... args) {
        try {
            return (T) handle.invokeWithArguments(args);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * Method handles into the agent's bootstrap bridge. Looked up again until found, because an
     * agent loaded later through attach publishes its bridge after this class was initialized.
     */
    private record Bridge(MethodHandle active, MethodHandle checkpoint, MethodHandle lastRestore,
                          MethodHandle incident) {
        private static volatile Bridge found;

        static Bridge find() {
            Bridge bridge = found;
            if (bridge == null) {
                try {
                    Class<?> type = Class.forName(BRIDGE, true, null);
                    MethodHandles.Lookup lookup = MethodHandles.publicLookup();
                    bridge = new Bridge(
                            lookup.findStatic(type, "isActive", MethodType.methodType(boolean.class)),
                            lookup.findStatic(type, "checkpoint", MethodType.methodType(Map.class, String.class)),
                            lookup.findStatic(type, "lastRestore", MethodType.methodType(Map.class)),
                            lookup.findStatic(type, "incident", MethodType.methodType(String.class, String.class)));
                    found = bridge;
                } catch (ReflectiveOperationException | LinkageError absent) {
                    return null; // no agent in this JVM (yet)
                }
            }
            return bridge;
        }
    }
}
