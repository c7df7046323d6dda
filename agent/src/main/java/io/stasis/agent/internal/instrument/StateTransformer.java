package io.stasis.agent.internal.instrument;

import io.stasis.agent.internal.Log;
import io.stasis.agent.internal.config.AgentOptions;
import io.stasis.agent.internal.config.MemberPattern;
import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;
import java.util.List;

/**
 * The agent's transformer: asks the {@link ClassPrefilter} first, so that most classes cost a scan
 * of their constant pool, then reads the {@link ClassPlan} and applies it with ASM. A class that
 * cannot be instrumented is logged and loaded unchanged; the application carries on without its
 * state and units of work.
 */
final class StateTransformer implements ClassFileTransformer {

    private final ClassPrefilter prefilter;
    private final List<MemberPattern> fields;
    private final List<MemberPattern> quiesce;
    private final PatternUsage usage;

    StateTransformer(ClassPrefilter prefilter, AgentOptions options, PatternUsage usage) {
        this.prefilter = prefilter;
        this.fields = options.fields();
        this.quiesce = options.quiesce();
        this.usage = usage;
    }

    @Override
    public byte[] transform(ClassLoader loader, String className, Class<?> classBeingRedefined,
                            ProtectionDomain protectionDomain, byte[] classFile) {
        if (className == null || ClassPrefilter.ignored(className.replace('/', '.'))
                || !prefilter.mayNeed(loader, className, classFile)) {
            return null;
        }
        try {
            ClassPlan plan = ClassPlan.read(classFile, fields, quiesce, usage);
            if (plan.isInterface() && plan.unitsOfWork().isEmpty()) {
                return null; // an interface's fields are constants, and it has no constructor
            }
            boolean reportsInstances = plan.instanceState() || prefilter.superclassMayCarryState(loader, plan.superclass());
            if (plan.declaresNothing() && !reportsInstances) {
                return null;
            }
            return ClassRewriter.rewrite(classFile, plan, reportsInstances, classBeingRedefined != null);
        } catch (Throwable t) {
            Log.error("could not instrument " + className.replace('/', '.')
                    + "; its state and units of work are not covered", t);
            return null;
        }
    }
}
