package io.stasis.benchmarks.startup;

import java.lang.instrument.Instrumentation;

/**
 * An agent that does nothing: the start-up jar's {@code Premain-Class}, so that
 * {@code benchmarks/startup.sh} can tell the JVM's own cost of {@code -javaagent} (the
 * {@code java.instrument} module, no archived module graph) from the cost of what Stasis does.
 */
public final class EmptyAgent {

    private EmptyAgent() {
    }

    public static void premain(String argument, Instrumentation instrumentation) {
        // nothing: the floor any agent starts from
    }
}
