package io.stasis.agent.internal.events;

import jdk.jfr.FlightRecorder;

/**
 * Whether an event could be recorded now. Asked before any event object is made: in a JVM where no
 * recording has started, loading a first {@code jdk.jfr.Event} subclass sets up much of JFR (a few
 * hundred milliseconds measured on JDK 17), while this check loads one small class, once.
 */
final class Jfr {

    /** A run-time image made without the {@code jdk.jfr} module records nothing. */
    private static final boolean PRESENT = ModuleLayer.boot().findModule("jdk.jfr").isPresent();

    private Jfr() {
    }

    /** True once a recording has started in this JVM; our events are then made and asked whether they are enabled. */
    static boolean initialized() {
        try {
            return PRESENT && FlightRecorder.isInitialized();
        } catch (LinkageError e) {
            return false;
        }
    }
}
