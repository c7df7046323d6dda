package io.stasis.agent.cli;

import io.stasis.agent.internal.metrics.Management;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.management.Attribute;
import javax.management.JMException;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;

/**
 * What {@code status PID} reads: the attributes of {@code io.stasis:type=Checkpoints} and
 * {@code io.stasis:type=Restore}, by name, and the verdict a health check needs.
 *
 * @param checkpoints every attribute of {@code io.stasis:type=Checkpoints}, in contract order
 * @param restore     every attribute of {@code io.stasis:type=Restore}
 */
record AgentStatus(Map<String, Object> checkpoints, Map<String, Object> restore) {

    static final List<String> CHECKPOINT_ATTRIBUTES = List.of("Attempts", "Successes", "Failures", "Retries",
            "LastSuccessEpochMillis", "LastSuccessAgeMillis", "LastPauseMillis", "LastDurationMillis",
            "LastPublishMillis", "LastSizeBytes", "LastStoredBytes", "StoreBytes", "VerificationFailures",
            "IntervalMillis", "LastFailure", "LastFailureEpochMillis", "LastOutcome", "NextDueEpochMillis",
            "MaxAgeMillis", "Stale", "MirrorLagMillis", "MirrorFailures");
    static final List<String> RESTORE_ATTRIBUTES = List.of("Source", "SnapshotSequence", "SnapshotAgeAtRestoreMillis",
            "RestoreMillis", "RootsRestored", "RootsPending", "RootsRefused");

    /** {@code healthy}, {@code failing} (the last checkpoint failed) or {@code stale} (older than max-age). */
    String health() {
        if (Boolean.TRUE.equals(checkpoints.get("Stale"))) {
            return "stale";
        }
        return "failure".equals(checkpoints.get("LastOutcome")) ? "failing" : "healthy";
    }

    long number(String attribute) {
        Object value = checkpoints.containsKey(attribute) ? checkpoints.get(attribute) : restore.get(attribute);
        return value instanceof Number n ? n.longValue() : 0;
    }

    double decimal(String attribute) {
        Object value = checkpoints.containsKey(attribute) ? checkpoints.get(attribute) : restore.get(attribute);
        return value instanceof Number n ? n.doubleValue() : 0;
    }

    static boolean present(MBeanServerConnection server) throws IOException {
        return server.isRegistered(name(Management.CHECKPOINTS));
    }

    static AgentStatus read(MBeanServerConnection server) throws IOException, JMException {
        return new AgentStatus(attributes(server, Management.CHECKPOINTS, CHECKPOINT_ATTRIBUTES),
                attributes(server, Management.RESTORE, RESTORE_ATTRIBUTES));
    }

    private static Map<String, Object> attributes(MBeanServerConnection server, String name, List<String> names)
            throws IOException, JMException {
        Map<String, Object> values = new LinkedHashMap<>();
        for (Attribute attribute : server.getAttributes(name(name), names.toArray(String[]::new)).asList()) {
            values.put(attribute.getName(), attribute.getValue());
        }
        return values;
    }

    private static ObjectName name(String name) {
        try {
            return new ObjectName(name);
        } catch (JMException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
