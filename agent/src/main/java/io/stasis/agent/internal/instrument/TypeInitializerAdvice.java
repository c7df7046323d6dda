package io.stasis.agent.internal.instrument;

import io.stasis.bootstrap.Registrations;
import net.bytebuddy.asm.Advice;

/** Inlined at the end of the static initializer of classes that own static state. */
final class TypeInitializerAdvice {

    private TypeInitializerAdvice() {
    }

    @Advice.OnMethodExit
    static void exit(@Advice.Origin Class<?> type) {
        Registrations.initialized(type);
    }
}
