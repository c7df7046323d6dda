package io.stasis.bootstrap;

/**
 * Where instrumented constructors and type initializers report the objects and classes that own
 * checkpointed state. The agent installs the listener; until then reports are dropped.
 */
public final class Registrations {

    /** Receives owners of checkpointed state as they appear. Must not throw. */
    public interface Listener {
        /** An instance whose most-derived constructor has just completed. */
        void constructed(Object instance);

        /** A class whose static initializer has just completed. */
        void initialized(Class<?> type);
    }

    private static volatile Listener listener;

    private Registrations() {
    }

    public static void install(Listener newListener) {
        listener = newListener;
    }

    /**
     * Called at the end of every constructor of an instrumented class. Only the constructor of the
     * instance's own class reports it, so superclass constructors do not report a half-built object.
     */
    public static void constructed(Object instance, Class<?> constructorOwner) {
        Listener current = listener;
        if (current != null && instance.getClass() == constructorOwner) {
            current.constructed(instance);
        }
    }

    /** Called at the end of the static initializer of an instrumented class. */
    public static void initialized(Class<?> type) {
        Listener current = listener;
        if (current != null) {
            current.initialized(type);
        }
    }
}
