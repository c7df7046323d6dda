package io.stasis.agent;

import io.stasis.agent.internal.AgentRuntime;
import io.stasis.agent.internal.BootstrapInjector;
import io.stasis.agent.internal.Log;
import io.stasis.agent.internal.config.AgentOptions;
import io.stasis.agent.internal.config.OptionsException;
import io.stasis.agent.internal.config.OptionsParser;
import java.lang.instrument.Instrumentation;

/**
 * The agent's entry points: {@code -javaagent:stasis-agent.jar=key=value,...} at start-up, or
 * attach to a running JVM. Start-up stays small: parse options, publish the bootstrap bridge,
 * install the instrumentation, restore lazily.
 */
public final class StasisAgent {

    private StasisAgent() {
    }

    public static void premain(String argument, Instrumentation instrumentation) {
        start(argument, instrumentation, false);
    }

    public static void agentmain(String argument, Instrumentation instrumentation) {
        start(argument, instrumentation, true);
    }

    private static synchronized void start(String argument, Instrumentation instrumentation, boolean attached) {
        AgentOptions options;
        try {
            options = OptionsParser.parse(argument, System.getProperties());
        } catch (OptionsException e) {
            failStartup(e.getMessage(), attached);
            return;
        }
        try {
            BootstrapInjector.inject(instrumentation);
            AgentRuntime.start(instrumentation, options, attached);
        } catch (OptionsException e) {
            failStartup(e.getMessage(), attached);
        } catch (Exception | LinkageError e) {
            failStartup("the agent could not start: " + Log.describe(e), attached);
        }
    }

    /**
     * At start-up: one clear line, then the JVM stops, since running without the state the user
     * asked for would lose it. When attached to a running application: the attach fails instead.
     */
    private static void failStartup(String message, boolean attached) {
        System.err.println("[stasis] ERROR: " + message);
        System.err.flush();
        if (attached) {
            throw new IllegalArgumentException(message);
        }
        Runtime.getRuntime().halt(1);
    }
}
