package io.stasis.agent.internal.instrument;

import io.stasis.agent.internal.Log;
import io.stasis.agent.internal.config.AgentOptions;
import io.stasis.agent.internal.config.MemberPattern;
import io.stasis.agent.internal.image.OrgCracRoute;
import io.stasis.agent.internal.state.DeclaredMarks;
import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * The agent's transformer: asks the {@link ClassPrefilter} first, so that most classes cost a scan
 * of their constant pool, then reads the {@link ClassPlan} and applies it with ASM. A class that
 * cannot be instrumented is logged and loaded unchanged; the application carries on without its
 * state and units of work.
 */
final class StateTransformer implements ClassFileTransformer {

    /**
     * Classes that call the bridge without being rewritten (the facade, {@code org.crac}'s entry
     * point), or whose first use must find the agent's Resource registered ({@code jdk.crac}'s, on a
     * CRaC JDK), so that the application's Resources come after it.
     */
    static final Set<String> BRIDGE_CALLERS =
            Set.of("io/stasis/api/Stasis", OrgCracRoute.ORG_CRAC_CORE, "jdk/crac/Core");

    private final ClassPrefilter prefilter;
    private final List<MemberPattern> fields;
    private final List<MemberPattern> quiesce;
    private final PatternUsage usage;
    private final BooleanSupplier bridge;
    /** Set once the bridge is connected: from then on no class load asks for it. */
    private volatile boolean bridgeConnected;

    /** @param bridge see {@link Instrumenter#install} */
    StateTransformer(ClassPrefilter prefilter, AgentOptions options, PatternUsage usage, BooleanSupplier bridge) {
        this.prefilter = prefilter;
        this.fields = options.fields();
        this.quiesce = options.quiesce();
        this.usage = usage;
        this.bridge = bridge;
        this.bridgeConnected = bridge == null;
    }

    @Override
    public byte[] transform(ClassLoader loader, String className, Class<?> classBeingRedefined,
                            ProtectionDomain protectionDomain, byte[] classFile) {
        if (className == null) {
            return null;
        }
        if (!bridgeConnected && BRIDGE_CALLERS.contains(className)) {
            bridgeReady();
            return null;
        }
        if (ClassPrefilter.ignored(className.replace('/', '.')) || !prefilter.mayNeed(loader, className, classFile)) {
            return null;
        }
        try {
            ClassPlan plan = ClassPlan.read(classFile, fields, quiesce, usage);
            if (!plan.marks().isEmpty()) {
                DeclaredMarks.record(loader, className.replace('/', '.'), plan.marks());
            }
            if (plan.isInterface() && plan.unitsOfWork().isEmpty()) {
                return null; // an interface's fields are constants, and it has no constructor
            }
            boolean reportsInstances = plan.instanceState() || prefilter.superclassMayCarryState(loader, plan.superclass());
            if (plan.declaresNothing() && !reportsInstances) {
                return null;
            }
            if (!bridgeReady()) {
                return null; // start-up fails, and stops the JVM
            }
            return ClassRewriter.rewrite(classFile, plan, reportsInstances, classBeingRedefined != null);
        } catch (Throwable t) {
            Log.error("could not instrument " + className.replace('/', '.')
                    + "; its state and units of work are not covered", t);
            return null;
        }
    }

    /** Whether the bridge that rewritten code calls is defined (and connected), defining it if need be. */
    private boolean bridgeReady() {
        if (bridgeConnected) {
            return true;
        }
        try {
            bridgeConnected = bridge.getAsBoolean();
            return true;
        } catch (RuntimeException | LinkageError e) {
            return false; // said by start-up, which stops the JVM
        }
    }
}
