package io.stasis.agent.internal;

import io.stasis.agent.internal.image.ImageHooks;
import io.stasis.agent.internal.state.OwnerType;
import io.stasis.agent.internal.state.StateRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The second half of start-up, which runs beside the application's {@code main}: opening the store,
 * choosing the snapshot, and setting up checkpoints, images and forensics take a hundred
 * milliseconds or more of class loading and I/O that nothing in the application needs until an
 * owner of checkpointed state appears or it calls the facade. Those wait here until the runtime is
 * up, at most the limit. A start that takes longer is given up as a whole: nothing is restored and
 * nothing checkpointed, since restoring some owners and not others, or checkpointing an owner that
 * missed its restore, would write over the state this JVM was meant to continue from.
 */
final class DeferredStart implements StateRegistry.OwnerListener, ImageHooks {

    /** What the application's owners and facade calls are handed to once start-up is done. */
    record Started(AgentRuntime runtime, StateRegistry.OwnerListener restorer) {
    }

    private final Duration limit;
    /** Run when an owner appears before start-up is done, on its thread, before it waits. */
    private final Runnable ownerBeforeStarted;
    private final CountDownLatch done = new CountDownLatch(1);
    private final Object lock = new Object();
    private Started started;
    private boolean givenUp;

    DeferredStart(Duration limit, Runnable ownerBeforeStarted) {
        this.limit = limit;
        this.ownerBeforeStarted = ownerBeforeStarted;
    }

    /**
     * Hands over to the started runtime.
     *
     * @return false when the application stopped waiting first: the runtime must not run
     */
    boolean complete(Started result) {
        synchronized (lock) {
            if (givenUp) {
                return false;
            }
            started = result;
        }
        done.countDown();
        return true;
    }

    private Started awaitForOwner() {
        if (done.getCount() > 0) {
            ownerBeforeStarted.run();
        }
        return await();
    }

    /** The runtime, or {@code null} once start-up is given up (said once, in the log). */
    Started await() {
        try {
            if (done.await(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                return started;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
        synchronized (lock) {
            if (started != null) {
                return started;
            }
            if (!givenUp) {
                givenUp = true;
                Log.error("the agent did not finish starting within " + limit.toSeconds() + " s (opening the store and"
                        + " choosing the snapshot to restore): this JVM restores nothing and takes no checkpoints", null);
            }
            return null;
        }
    }

    @Override
    public void staticsAppeared(OwnerType type) {
        Started current = awaitForOwner();
        if (current != null && current.restorer() != null) {
            current.restorer().staticsAppeared(type);
        }
    }

    @Override
    public void instanceAppeared(Object instance, OwnerType type) {
        Started current = awaitForOwner();
        if (current != null && current.restorer() != null) {
            current.restorer().instanceAppeared(instance, type);
        }
    }

    /**
     * The agent's Resource is registered before the application's code runs, with these hooks, so
     * that it is notified last before an image and first after: registered beside {@code main},
     * an application's Resource could come first.
     */
    @Override
    public void beforeImage() throws Exception {
        Started current = await();
        if (current != null) {
            current.runtime().beforeImage();
        }
    }

    @Override
    public void afterImage(boolean restored, String image, Instant taken) throws Exception {
        Started current = await();
        if (current != null) {
            current.runtime().afterImage(restored, image, taken);
        }
    }

    /**
     * The runtime, once start-up is done, for the facade's calls ({@code Stasis.checkpoint} and the
     * like) made while it ran.
     *
     * @throws IllegalStateException if start-up was given up
     */
    AgentRuntime runtime() {
        Started current = await();
        if (current == null) {
            throw new IllegalStateException("the Stasis agent did not finish starting in this JVM");
        }
        return current.runtime();
    }
}
