package io.stasis.agent.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.tools.attach.VirtualMachine;
import io.stasis.agent.internal.metrics.Management;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.Callable;
import javax.management.JMException;
import javax.management.MBeanServerConnection;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code status PID}: the health of a running JVM's checkpoints, from its MBeans, for a person or a script. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Show the health of the Stasis agent in a running JVM: the last checkpoint (age, pause, size,"
                + " outcome), failures, when the next is due, store usage, and what was restored at start-up.",
            "Attaches to PID and reads io.stasis:type=Checkpoints and io.stasis:type=Restore through the JVM's local"
                + " JMX connector (started if needed, as jcmd ManagementAgent.start_local does). Never loads the"
                + " agent into a JVM that runs without it."},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:healthy: the last checkpoint succeeded (or none was attempted yet) and, with max-age, one"
                + " succeeded within it",
            "1:failing (the last checkpoint failed), stale (no checkpoint succeeded within the agent's max-age), no"
                + " Stasis agent in PID, or PID cannot be attached to",
            "2:usage error"})
final class StatusCommand implements Callable<Integer> {

    /**
     * The agent registers its MBeans within {@link Management#POLL_MILLIS} of the platform MBean
     * server's creation, which opening the connector may just have caused: so long, and a margin for
     * a busy machine, is waited for.
     */
    private static final long REGISTRATION_WAIT_MILLIS = Management.POLL_MILLIS * 3;

    @Parameters(paramLabel = "PID", description = "The process id of the JVM.")
    long pid;
    @Option(names = "--json", description = "Print JSON for scripts: health, and every attribute of both MBeans.")
    boolean json;
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        AgentStatus status = read();
        PrintWriter out = spec.commandLine().getOut();
        out.print(json ? json(status) + "\n" : StatusText.describe(pid, status, System.currentTimeMillis()));
        out.flush();
        return status.health().equals("healthy") ? 0 : 1;
    }

    private AgentStatus read() throws IOException, JMException, InterruptedException {
        String address;
        VirtualMachine vm = Attach.to(pid);
        try {
            address = vm.startLocalManagementAgent();
        } catch (IOException | RuntimeException e) {
            throw new IOException("cannot open the local JMX connector of process " + pid + ": " + e.getMessage(), e);
        } finally {
            vm.detach();
        }
        try (JMXConnector connector = JMXConnectorFactory.connect(new JMXServiceURL(address))) {
            MBeanServerConnection server = connector.getMBeanServerConnection();
            awaitAgent(server);
            return AgentStatus.read(server);
        }
    }

    private void awaitAgent(MBeanServerConnection server) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + REGISTRATION_WAIT_MILLIS * 1_000_000;
        while (!AgentStatus.present(server)) {
            if (System.nanoTime() > deadline) {
                throw new IOException("process " + pid + " has no Stasis agent (no " + Management.CHECKPOINTS
                        + " MBean): start it with -javaagent:stasis-agent.jar=dir=DIR,interval=30s (status never "
                        + "loads the agent)");
            }
            Thread.sleep(100);
        }
    }

    private String json(AgentStatus status) throws IOException {
        // Made here, not in a static field: picocli makes every command to build the CLI, and a
        // mapper's first use costs about 200 ms that no other command should pay.
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode node = mapper.createObjectNode();
        node.put("pid", pid);
        node.put("health", status.health());
        node.set("checkpoints", mapper.valueToTree(status.checkpoints()));
        node.set("restore", mapper.valueToTree(status.restore()));
        return mapper.writeValueAsString(node);
    }

    /** The text a person reads. */
    static final class StatusText {

        private StatusText() {
        }

        static String describe(long pid, AgentStatus s, long now) {
            StringBuilder t = new StringBuilder();
            String health = s.health();
            t.append("process ").append(pid).append(": ").append(switch (health) {
                case "stale" -> "STALE: no checkpoint has succeeded for more than max-age=" + duration(s.number("MaxAgeMillis"));
                case "failing" -> "FAILING: the last checkpoint failed";
                default -> "healthy";
            }).append('\n');
            long last = s.number("LastSuccessEpochMillis");
            line(t, "last checkpoint", last == 0 ? "none has succeeded yet"
                    : String.format(Locale.ROOT, "%s ago (%s): pause %.3f ms, %d bytes serialized, %d bytes new in the"
                            + " store, durable in %.1f ms (manifest published in %.1f ms)",
                    duration(s.number("LastSuccessAgeMillis")), Instant.ofEpochMilli(last), s.decimal("LastPauseMillis"),
                    s.number("LastSizeBytes"), s.number("LastStoredBytes"), s.decimal("LastDurationMillis"),
                    s.decimal("LastPublishMillis")));
            line(t, "checkpoints", String.format(Locale.ROOT, "%d attempted, %d succeeded, %d failed, %d retried"
                            + " after a failure; %d snapshot(s) failed verification", s.number("Attempts"),
                    s.number("Successes"), s.number("Failures"), s.number("Retries"), s.number("VerificationFailures")));
            long failed = s.number("LastFailureEpochMillis");
            if (failed != 0) {
                line(t, "last failure", duration(now - failed) + " ago: " + s.checkpoints().get("LastFailure"));
            }
            long due = s.number("NextDueEpochMillis");
            long interval = s.number("IntervalMillis");
            line(t, "next due", due == 0 ? "not scheduled (interval=off)"
                    : (due > now ? "in " + duration(due - now) : "now") + " (interval " + duration(interval) + ")");
            long maxAge = s.number("MaxAgeMillis");
            line(t, "max-age", maxAge == 0 ? "not set" : duration(maxAge) + (health.equals("stale") ? ": stale" : ": fresh"));
            long store = s.number("StoreBytes");
            line(t, "store", store < 0 ? "cannot be read" : store + " bytes");
            if (s.checkpoints().containsKey("MirrorLagMillis") && s.number("MirrorLagMillis") >= 0) {
                long lag = s.number("MirrorLagMillis");
                line(t, "mirror", (lag == 0 ? "caught up" : "upload lag " + duration(lag)) + ", "
                        + s.number("MirrorFailures") + " failed upload(s)");
            }
            String source = String.valueOf(s.restore().get("Source"));
            line(t, "restore at start", switch (source) {
                case "snapshot" -> String.format(Locale.ROOT, "snapshot %d (state %s old): %d root(s) restored, %d"
                                + " pending, %d refused, %.1f ms", s.number("SnapshotSequence"),
                        duration(s.number("SnapshotAgeAtRestoreMillis")), s.number("RootsRestored"),
                        s.number("RootsPending"), s.number("RootsRefused"), s.decimal("RestoreMillis"));
                case "image" -> "full-process image (state " + duration(s.number("SnapshotAgeAtRestoreMillis")) + " old)";
                default -> "nothing restored";
            });
            return t.toString();
        }

        private static void line(StringBuilder t, String label, String value) {
            t.append(String.format(Locale.ROOT, "  %-17s %s%n", label + ":", value));
        }

        static String duration(long millis) {
            if (millis < 1000) {
                return millis + " ms";
            }
            if (millis < 60_000) {
                return String.format(Locale.ROOT, "%.1f s", millis / 1e3);
            }
            if (millis < 3_600_000) {
                return String.format(Locale.ROOT, "%.1f min", millis / 6e4);
            }
            return String.format(Locale.ROOT, "%.1f h", millis / 3.6e6);
        }
    }
}
