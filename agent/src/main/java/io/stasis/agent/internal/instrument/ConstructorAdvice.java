package io.stasis.agent.internal.instrument;

import io.stasis.bootstrap.Registrations;
import net.bytebuddy.asm.Advice;

/** Inlined at the end of constructors of classes that own instance state. */
final class ConstructorAdvice {

    private ConstructorAdvice() {
    }

    @Advice.OnMethodExit
    static void exit(@Advice.This Object self, @Advice.Origin Class<?> owner) {
        Registrations.constructed(self, owner);
    }
}
