package io.stasis.crac.image;

import jdk.jfr.FlightRecorder;

/**
 * One image as an {@code io.stasis.Image} event. Made only once a recording has started: in a JVM
 * without one, loading a first event class sets up much of JFR.
 */
final class ImageTrace {

    private static final ImageTrace NONE = new ImageTrace(null);
    private static final boolean JFR_PRESENT = ModuleLayer.boot().findModule("jdk.jfr").isPresent();

    private final ImageEvent event;

    private ImageTrace(ImageEvent event) {
        this.event = event;
    }

    /** Begins the event's duration now. */
    static ImageTrace start(String engine, String directory) {
        try {
            if (!JFR_PRESENT || !FlightRecorder.isInitialized()) {
                return NONE;
            }
            ImageEvent event = new ImageEvent();
            if (!event.isEnabled()) {
                return NONE;
            }
            event.engine = engine;
            event.directory = directory;
            event.begin();
            return new ImageTrace(event);
        } catch (LinkageError e) {
            return NONE;
        }
    }

    void done(String outcome, String failure) {
        if (event != null && event.shouldCommit()) {
            event.outcome = outcome;
            event.failure = failure;
            event.commit();
        }
    }
}
