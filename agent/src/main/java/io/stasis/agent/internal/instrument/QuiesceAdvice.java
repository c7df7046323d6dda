package io.stasis.agent.internal.instrument;

import io.stasis.bootstrap.QuiesceGate;
import net.bytebuddy.asm.Advice;

/** Inlined into every {@code @QuiescePoint} method: the unit of work passes through the gate. */
final class QuiesceAdvice {

    private QuiesceAdvice() {
    }

    @Advice.OnMethodEnter
    static QuiesceGate.Unit enter() {
        return QuiesceGate.enter();
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class)
    static void exit(@Advice.Enter QuiesceGate.Unit unit) {
        QuiesceGate.exit(unit);
    }
}
