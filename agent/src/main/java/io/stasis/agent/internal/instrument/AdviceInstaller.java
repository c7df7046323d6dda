package io.stasis.agent.internal.instrument;

import static net.bytebuddy.matcher.ElementMatchers.declaresField;
import static net.bytebuddy.matcher.ElementMatchers.declaresMethod;
import static net.bytebuddy.matcher.ElementMatchers.hasSuperType;
import static net.bytebuddy.matcher.ElementMatchers.isAnnotatedWith;
import static net.bytebuddy.matcher.ElementMatchers.isConstructor;
import static net.bytebuddy.matcher.ElementMatchers.isStatic;
import static net.bytebuddy.matcher.ElementMatchers.isSynthetic;
import static net.bytebuddy.matcher.ElementMatchers.isTypeInitializer;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;
import static net.bytebuddy.matcher.ElementMatchers.not;

import io.stasis.agent.internal.Log;
import io.stasis.agent.internal.config.AgentOptions;
import io.stasis.agent.internal.config.MemberPattern;
import io.stasis.agent.internal.state.Annotations;
import io.stasis.bootstrap.Registrations;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.Method;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.field.FieldDescription;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.dynamic.Nexus;
import net.bytebuddy.dynamic.scaffold.TypeValidation;
import net.bytebuddy.implementation.MethodCall;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.utility.JavaModule;

/**
 * The agent's one {@link AgentBuilder}, built only when a class needs it ({@link Instrumenter}):
 * <ul>
 *   <li>units of work ({@code @QuiescePoint} or the {@code quiesce} option) pass through the gate
 *       on entry and on every exit;</li>
 *   <li>constructors of classes that own instance state, or inherit it, report the instance;</li>
 *   <li>static initializers of classes that own static state report the class.</li>
 * </ul>
 */
final class AdviceInstaller {

    private static final Method REPORT_INITIALIZED;

    static {
        try {
            REPORT_INITIALIZED = Registrations.class.getMethod("initialized", Class.class);
        } catch (NoSuchMethodException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private AdviceInstaller() {
    }

    /** Installs the instrumentation in a running JVM, retransforming the classes it has loaded. */
    static void installAttached(Instrumentation instrumentation, AgentOptions options, PatternUsage usage) {
        agentBuilder(options, usage, true).installOn(instrumentation);
    }

    /** The transformer for classes loaded from now on, built as it is asked for. */
    static ClassFileTransformer transformer(AgentOptions options, PatternUsage usage) {
        return agentBuilder(options, usage, false).makeRaw();
    }

    private static AgentBuilder agentBuilder(AgentOptions options, PatternUsage usage, boolean attached) {
        // The patterns first: each is tried on every member, so that PatternUsage sees all it matches.
        ElementMatcher.Junction<FieldDescription> checkpointed =
                fieldPattern(options.fields(), usage).or(isAnnotatedWith(named(Annotations.CHECKPOINTED)));
        ElementMatcher.Junction<MethodDescription> unitOfWork =
                methodPattern(options.quiesce(), usage).or(isAnnotatedWith(named(Annotations.QUIESCE_POINT)));

        // Advice needs no dynamic type initializers; without the Nexus, Byte Buddy never reaches for
        // sun.misc.Unsafe (which JDK 24+ warns about on standard error). The property name is our
        // relocated copy's, so the application's own Byte Buddy is unaffected.
        System.setProperty(Nexus.PROPERTY, "true");
        ElementMatcher.Junction<TypeDescription> ignored = isSynthetic();
        for (String prefix : ClassPrefilter.IGNORED_PREFIXES) {
            ignored = ignored.or(nameStartsWith(prefix));
        }
        return new AgentBuilder.Default(new ByteBuddy().with(TypeValidation.DISABLED))
                .with(attached ? AgentBuilder.RedefinitionStrategy.RETRANSFORMATION : AgentBuilder.RedefinitionStrategy.DISABLED)
                // One cache of parsed class files for all matching: supertypes are shared by many classes.
                .with(new AgentBuilder.PoolStrategy.WithTypePoolCache.Simple(new ConcurrentHashMap<>()))
                .with(AgentBuilder.InitializationStrategy.NoOp.INSTANCE)
                .with(new ErrorLogger())
                .ignore(ignored)
                .type(declaresMethod(unitOfWork))
                .transform((builder, type, loader, module, domain) ->
                        builder.visit(Advice.to(QuiesceAdvice.class).on(unitOfWork.and(not(isConstructor())))))
                .type(hasSuperType(declaresField(checkpointed.and(not(isStatic())))))
                .transform((builder, type, loader, module, domain) ->
                        builder.visit(Advice.to(ConstructorAdvice.class).on(isConstructor())))
                .type(declaresField(checkpointed.and(isStatic())))
                .transform((builder, type, loader, module, domain) -> reportInitialization(builder, type));
    }

    /**
     * Reports the class at the end of its static initializer; a class that has none (its static
     * fields start at their default values) gets one that only reports it.
     */
    private static DynamicType.Builder<?> reportInitialization(DynamicType.Builder<?> builder, TypeDescription type) {
        if (!type.getDeclaredMethods().filter(isTypeInitializer()).isEmpty()) {
            return builder.visit(Advice.to(TypeInitializerAdvice.class).on(isTypeInitializer()));
        }
        return builder.invokable(isTypeInitializer())
                .intercept(MethodCall.invoke(REPORT_INITIALIZED).with(type));
    }

    private static ElementMatcher.Junction<FieldDescription> fieldPattern(List<MemberPattern> patterns,
                                                                          PatternUsage usage) {
        return new ElementMatcher.Junction.AbstractBase<>() {
            @Override
            public boolean matches(FieldDescription field) {
                return anyMatches(patterns, usage, field.getDeclaringType().asErasure().getName(), field.getName());
            }
        };
    }

    private static ElementMatcher.Junction<MethodDescription> methodPattern(List<MemberPattern> patterns,
                                                                            PatternUsage usage) {
        return new ElementMatcher.Junction.AbstractBase<>() {
            @Override
            public boolean matches(MethodDescription method) {
                return method.isMethod()
                        && anyMatches(patterns, usage, method.getDeclaringType().asErasure().getName(), method.getName());
            }
        };
    }

    /** Every pattern is tried, so that each one that matches is recorded as used. */
    private static boolean anyMatches(List<MemberPattern> patterns, PatternUsage usage, String owner, String member) {
        boolean any = false;
        for (MemberPattern pattern : patterns) {
            if (pattern.matches(owner, member)) {
                usage.matched(pattern);
                any = true;
            }
        }
        return any;
    }

    /** Logs classes that could not be instrumented; the application carries on without them. */
    private static final class ErrorLogger extends AgentBuilder.Listener.Adapter {
        @Override
        public void onError(String typeName, ClassLoader loader, JavaModule module, boolean loaded, Throwable error) {
            Log.error("could not instrument " + typeName + "; its state and units of work are not covered", error);
        }
    }
}
