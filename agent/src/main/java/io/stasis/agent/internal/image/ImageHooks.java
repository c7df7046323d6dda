package io.stasis.agent.internal.image;

import java.time.Instant;

/** What the running agent does around a full-process image. */
public interface ImageHooks {

    /** Quiesces: takes a last snapshot, stops timers, closes the gate, lets go of the store. */
    void beforeImage() throws Exception;

    /**
     * Undoes {@link #beforeImage}: takes the store back, opens the gate, re-arms the timers.
     *
     * @param restored whether this process was restored from the image (rather than the one imaged)
     * @param image    where the image is, and when it was taken
     */
    void afterImage(boolean restored, String image, Instant taken) throws Exception;
}
