package io.stasis.crac.compat;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The global context: Resources in registration order, held weakly so that registering never keeps
 * an object alive. {@code beforeCheckpoint} runs in reverse order and {@code afterRestore} in order,
 * as on a CRaC JDK; every failure is collected, and the Resources notified before a checkpoint are
 * held strongly until they have been notified after it, whether or not theirs failed.
 */
final class GlobalContext extends Context<Resource> {

    static final GlobalContext INSTANCE = new GlobalContext();

    private final List<WeakReference<Resource>> resources = new ArrayList<>();
    private List<Resource> notified = List.of();

    private GlobalContext() {
    }

    @Override
    public void register(Resource resource) {
        if (resource == null) {
            throw new NullPointerException("resource");
        }
        synchronized (resources) {
            resources.removeIf(r -> r.get() == null);
            resources.add(new WeakReference<>(resource));
        }
    }

    @Override
    public synchronized void beforeCheckpoint(Context<? extends Resource> context) throws CheckpointException {
        List<Resource> live = live();
        Collections.reverse(live);
        CheckpointException failure = null;
        for (Resource resource : live) {
            try {
                resource.beforeCheckpoint(this);
            } catch (CheckpointException e) {
                failure = collect(failure, e, new CheckpointException());
            } catch (Exception | LinkageError e) {
                failure = add(failure == null ? new CheckpointException() : failure, e);
            }
        }
        Collections.reverse(live);
        notified = live;
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public synchronized void afterRestore(Context<? extends Resource> context) throws RestoreException {
        List<Resource> restoring = notified.isEmpty() ? live() : notified;
        notified = List.of();
        RestoreException failure = null;
        for (Resource resource : restoring) {
            try {
                resource.afterRestore(this);
            } catch (RestoreException e) {
                failure = collect(failure, e, new RestoreException());
            } catch (Exception | LinkageError e) {
                failure = add(failure == null ? new RestoreException() : failure, e);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** Live Resources in registration order. */
    private List<Resource> live() {
        List<Resource> live = new ArrayList<>();
        synchronized (resources) {
            for (WeakReference<Resource> reference : resources) {
                Resource resource = reference.get();
                if (resource != null) {
                    live.add(resource);
                }
            }
        }
        return live;
    }

    /** A nested context's exception carries its Resources' failures as suppressed: flatten them. */
    private static <E extends Exception> E collect(E into, Exception nested, E fresh) {
        E target = into == null ? fresh : into;
        Throwable[] causes = nested.getSuppressed();
        if (causes.length == 0) {
            target.addSuppressed(nested);
        }
        for (Throwable cause : causes) {
            target.addSuppressed(cause);
        }
        return target;
    }

    private static <E extends Exception> E add(E into, Throwable failure) {
        into.addSuppressed(failure);
        return into;
    }
}
