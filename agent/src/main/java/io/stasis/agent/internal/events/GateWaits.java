package io.stasis.agent.internal.events;

import io.stasis.bootstrap.QuiesceGate;

/**
 * Turns threads held at a closed quiesce gate into {@code io.stasis.QuiesceWait} events. The gate
 * calls it only on its slow path, when a thread actually waits.
 */
public final class GateWaits implements QuiesceGate.WaitListener {

    private GateWaits() {
    }

    public static void install() {
        QuiesceGate.setWaitListener(new GateWaits());
    }

    @Override
    public Object waiting() {
        try {
            if (!Jfr.initialized()) {
                return null;
            }
            QuiesceWaitEvent event = new QuiesceWaitEvent();
            if (!event.isEnabled()) {
                return null;
            }
            event.begin();
            return event;
        } catch (RuntimeException | LinkageError e) {
            return null; // a thread at the gate is never failed for an event
        }
    }

    @Override
    public void resumed(Object token) {
        try {
            QuiesceWaitEvent event = (QuiesceWaitEvent) token;
            event.end();
            if (event.shouldCommit()) {
                event.commit();
            }
        } catch (RuntimeException | LinkageError e) {
            // as above
        }
    }
}
