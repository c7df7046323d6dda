package io.stasis.agent.internal.instrument;

import io.stasis.agent.internal.config.AgentOptions;
import java.lang.instrument.Instrumentation;

/**
 * Installs the agent's instrumentation. Nothing of Byte Buddy is referenced here, so that a JVM
 * whose classes need no instrumentation never loads it (see {@link ClassPrefilter}).
 */
public final class Instrumenter {

    private Instrumenter() {
    }

    /**
     * @param attached whether the agent was attached to a running JVM, whose already loaded
     *                 classes must then be retransformed; at start-up there are none of ours yet,
     *                 and the Byte Buddy machinery is built only when a class first needs it
     * @return which of the {@code fields} and {@code quiesce} patterns have matched so far
     */
    public static PatternUsage install(Instrumentation instrumentation, AgentOptions options, boolean attached) {
        PatternUsage usage = new PatternUsage(instrumentation, options);
        instrumentation.addTransformer(new MissingApiWarning(), false);
        if (attached) {
            AdviceInstaller.installAttached(instrumentation, options, usage);
        } else {
            instrumentation.addTransformer(new LazyTransformer(new ClassPrefilter(options),
                    () -> AdviceInstaller.transformer(options, usage)), true);
        }
        return usage;
    }
}
