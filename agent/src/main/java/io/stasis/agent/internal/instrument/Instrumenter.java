package io.stasis.agent.internal.instrument;

import io.stasis.agent.internal.Log;
import io.stasis.agent.internal.config.AgentOptions;
import java.lang.instrument.Instrumentation;
import java.util.function.BooleanSupplier;

/** Installs the agent's instrumentation ({@link StateTransformer}). */
public final class Instrumenter {

    private Instrumenter() {
    }

    /**
     * @param attached whether the agent was attached to a running JVM, whose already loaded
     *                 classes must then be retransformed; at start-up there are none of ours yet
     * @param bridge   makes sure the bridge is defined, before the first class is rewritten and when
     *                 a class that calls it loads ({@code io.stasis.api.Stasis}, {@code org.crac.Core},
     *                 {@code jdk.crac.Core}); true once it is connected (false only on the thread
     *                 connecting it); throws if it cannot be; {@code null} when it is defined already
     * @return which of the {@code fields} and {@code quiesce} patterns have matched so far
     */
    public static PatternUsage install(Instrumentation instrumentation, AgentOptions options, boolean attached,
                                       BooleanSupplier bridge) {
        PatternUsage usage = new PatternUsage(instrumentation, options);
        // Made first: both transformers call it, and a class a transformer loads is transformed too.
        ClassPrefilter prefilter = new ClassPrefilter(options);
        instrumentation.addTransformer(new MissingApiWarning(), false);
        instrumentation.addTransformer(new StateTransformer(prefilter, options, usage, bridge), true);
        if (attached) {
            retransformLoaded(instrumentation, prefilter);
        }
        return usage;
    }

    /**
     * Whether a class that calls the bridge without being rewritten ({@code io.stasis.api.Stasis},
     * {@code org.crac.Core}, {@code jdk.crac.Core}) was loaded by the class path's loader before the transformer was there
     * to see it: a JDK 24+ AOT cache loads the classes it holds before the agent starts.
     */
    public static boolean bridgeCallerLoadedEarly(Instrumentation instrumentation) {
        for (Class<?> type : instrumentation.getInitiatedClasses(ClassLoader.getSystemClassLoader())) {
            if (StateTransformer.BRIDGE_CALLERS.contains(type.getName().replace('.', '/'))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Retransforms the loaded classes that may need it, judged by the prefilter from their class
     * files (a class without one, such as a generated proxy, is retransformed to be judged from the
     * JVM's copy). One at a time, so that a class that fails does not hold back the others.
     */
    private static void retransformLoaded(Instrumentation instrumentation, ClassPrefilter prefilter) {
        for (Class<?> type : instrumentation.getAllLoadedClasses()) {
            if (type.isArray() || type.isPrimitive() || ClassPrefilter.ignored(type.getName())
                    || !instrumentation.isModifiableClass(type)) {
                continue;
            }
            String internalName = type.getName().replace('.', '/');
            ClassLoader loader = type.getClassLoader();
            if (prefilter.mayNeed(loader, internalName, ClassPrefilter.resource(loader, internalName))) {
                try {
                    instrumentation.retransformClasses(type);
                } catch (Throwable t) {
                    Log.error("could not instrument " + type.getName() + "; its state and units of work are not covered", t);
                }
            }
        }
    }
}
