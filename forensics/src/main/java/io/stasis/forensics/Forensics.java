package io.stasis.forensics;

import io.stasis.forensics.internal.Engine;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

/**
 * Incident forensics for one JVM: triggers watch for incidents, and each admitted incident becomes
 * one encrypted bundle in {@link ForensicsConfig#dir()}. Capture runs on a thread of its own.
 */
public final class Forensics {

    private final Engine engine;

    private Forensics(Engine engine) {
        this.engine = engine;
    }

    /**
     * Checks the configuration (recipients, directories) at once and fails if it cannot work, so
     * that start-up fails closed; then starts the triggers and the rolling recording in the background.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static Forensics start(ForensicsConfig config, StateSource state, Reporter reporter) {
        return new Forensics(Engine.start(config, state, reporter));
    }

    /** An operator's request: captured even if the same reason was captured a moment ago. */
    public CompletableFuture<Path> incident(String reason) {
        return engine.manual(reason);
    }

    /**
     * A unit of work on {@code thread} has been running for {@code running}, longer than
     * {@link ForensicsConfig#slowUnit()}: captured once per thread per window, like other incidents.
     */
    public void slowUnit(Thread thread, java.time.Duration running) {
        engine.slowUnit(thread, running);
    }

    /** Before a full-process image: the JFR recording stops, so that no file it writes is open in the image. */
    public void beforeImage() {
        engine.beforeImage();
    }

    /** After a full-process image, in the process that carries on or the restored one: recording again. */
    public void afterImage() {
        engine.afterImage();
    }

    public Path dir() {
        return engine.dir();
    }
}
