package io.stasis.agent.internal.events;

/**
 * One root restored, as an {@code io.stasis.Restore} event. When no recording wants the event it
 * is a shared instance that does nothing.
 */
public final class RestoreTrace {

    private static final RestoreTrace NONE = new RestoreTrace(null);

    private final RestoreEvent event;

    private RestoreTrace(RestoreEvent event) {
        this.event = event;
    }

    /** Begins the event's duration now. */
    public static RestoreTrace start(String root, String snapshot, long bytes) {
        if (!Jfr.initialized()) {
            return NONE;
        }
        RestoreEvent event = new RestoreEvent();
        if (!event.isEnabled()) {
            return NONE;
        }
        event.root = root;
        event.snapshot = snapshot;
        event.bytes = bytes;
        event.begin();
        return new RestoreTrace(event);
    }

    /** @param outcome {@code restored}, {@code partial} or {@code skipped} */
    public void done(String outcome, String problem) {
        if (event != null && event.shouldCommit()) {
            event.outcome = outcome;
            event.problem = problem;
            event.commit();
        }
    }
}
