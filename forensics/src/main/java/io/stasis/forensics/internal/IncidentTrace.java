package io.stasis.forensics.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import jdk.jfr.FlightRecorder;

/**
 * One incident as an {@code io.stasis.Incident} event. Made only once a recording has started: in
 * a JVM without one, loading a first event class sets up much of JFR.
 */
final class IncidentTrace {

    private static final IncidentTrace NONE = new IncidentTrace(null);
    private static final boolean JFR_PRESENT = ModuleLayer.boot().findModule("jdk.jfr").isPresent();

    private final IncidentEvent event;

    private IncidentTrace(IncidentEvent event) {
        this.event = event;
    }

    /** Begins the event's duration now. */
    static IncidentTrace start(String trigger, String reason) {
        try {
            if (!JFR_PRESENT || !FlightRecorder.isInitialized()) {
                return NONE;
            }
            IncidentEvent event = new IncidentEvent();
            if (!event.isEnabled()) {
                return NONE;
            }
            event.trigger = trigger;
            event.reason = reason;
            event.begin();
            return new IncidentTrace(event);
        } catch (LinkageError e) {
            return NONE;
        }
    }

    void captured(Path bundle) {
        if (event != null) {
            long bytes;
            try {
                bytes = Files.size(bundle);
            } catch (IOException e) {
                bytes = -1; // the bundle was written; its size is only for the event
            }
            commit("captured", bundle.getFileName().toString(), bytes, "");
        }
    }

    void failed(String failure) {
        commit("failed", "", 0, failure);
    }

    private void commit(String outcome, String bundle, long bytes, String failure) {
        if (event != null && event.shouldCommit()) {
            event.outcome = outcome;
            event.bundle = bundle;
            event.bytes = bytes;
            event.failure = failure;
            event.commit();
        }
    }
}
