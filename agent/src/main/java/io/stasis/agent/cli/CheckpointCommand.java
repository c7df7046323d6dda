package io.stasis.agent.cli;

import io.stasis.agent.internal.capture.AttachRequest;
import java.io.PrintWriter;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code checkpoint PID}: a snapshot of a running JVM's state, now. */
@Command(name = "checkpoint", mixinStandardHelpOptions = true,
        description = {"Take a snapshot of a running JVM's @Checkpointed state now, at a consistent cut.",
            "Attaches to PID. If the agent is not running there, it is loaded first with --agent-options "
                    + "(and restore=none: the application's state is live), and stays."})
final class CheckpointCommand implements Callable<Integer> {

    @Parameters(paramLabel = "PID", description = "The process id of the JVM.")
    long pid;
    @Option(names = {"-r", "--reason"}, defaultValue = "manual", paramLabel = "TEXT",
            description = "Why, for the snapshot's manifest. Default: ${DEFAULT-VALUE}")
    String reason;
    @Option(names = "--agent-options", defaultValue = "", paramLabel = "OPTIONS",
            description = "The agent's options, as after -javaagent:stasis-agent.jar=, for a JVM it is not running in "
                    + "yet (for example dir=/var/lib/app,keep=3). Default: the agent's defaults.")
    String agentOptions;
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        AttachRequest request = AttachRequest.create(AttachRequest.Kind.CHECKPOINT, pid, reason, agentOptions);
        try {
            Attach.request(pid, request);
            Properties snapshot = request.answer();
            PrintWriter out = spec.commandLine().getOut();
            out.printf("snapshot %s of process %d committed (%s): %s bytes, pause %.3f ms%n", snapshot.getProperty("id"),
                    pid, snapshot.getProperty("reason"), snapshot.getProperty("bytes"),
                    Long.parseLong(snapshot.getProperty("pauseNanos")) / 1e6);
            out.flush();
            return 0;
        } finally {
            request.delete();
        }
    }
}
