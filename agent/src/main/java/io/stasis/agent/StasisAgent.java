package io.stasis.agent;

import io.stasis.agent.internal.AgentRuntime;
import io.stasis.agent.internal.BesideMain;
import io.stasis.agent.internal.BootstrapInjector;
import io.stasis.agent.internal.Log;
import io.stasis.agent.internal.StartupFailure;
import io.stasis.agent.internal.config.AgentOptions;
import io.stasis.agent.internal.config.OptionsParser;
import java.lang.instrument.Instrumentation;

/**
 * The agent's entry points: {@code -javaagent:stasis-agent.jar=key=value,...} at start-up, or
 * attach to a running JVM. Start-up stays small: parse the options, install the instrumentation,
 * and do the rest beside {@code main} where it can ({@link BesideMain}). What the command line
 * attaches with is {@code AttachRequests}'s.
 */
public final class StasisAgent {

    /**
     * Whether the bridges are on the bootstrap class path: the agent runs, or was attached for an
     * image. Guarded by this class's lock, which {@link #start} holds.
     */
    static boolean started;

    private StasisAgent() {
    }

    public static void premain(String argument, Instrumentation instrumentation) {
        start(argument, instrumentation, false);
    }

    public static void agentmain(String argument, Instrumentation instrumentation) {
        start(argument, instrumentation, true);
    }

    static synchronized void start(String argument, Instrumentation instrumentation, boolean attached) {
        if (attached && AttachRequests.carryOut(argument, instrumentation)) {
            return;
        }
        try {
            AgentOptions options = OptionsParser.parse(argument, System.getProperties());
            Log.configure(options.log(), options.logLevel());
            if (!attached && BesideMain.suits(options)) {
                BesideMain.start(instrumentation, options);
            } else {
                BootstrapInjector.inject(instrumentation);
                AgentRuntime.start(instrumentation, options, attached);
            }
            started = true;
        } catch (Exception | LinkageError e) {
            StartupFailure.stop(e, attached);
        }
    }
}
