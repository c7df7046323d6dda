package io.stasis.crac.compat;

/**
 * The entry point {@code org.crac.Core} reaches when the agent sets the system property
 * {@code org.crac.Core.Compat=io.stasis.crac.compat} on a JDK without CRaC. Loaded by the bootstrap
 * class loader, so that every copy of {@code org.crac}, in whatever class loader, finds the same
 * global context.
 */
public final class Core {

    /** Takes a full-process image when the application calls {@code Core.checkpointRestore()}. */
    @FunctionalInterface
    public interface ImageEngine {
        /**
         * Notifies the global context, takes the image, and notifies it again; returns in the
         * process that carries on, whether the one that was imaged or one restored from the image.
         */
        void checkpointRestore() throws CheckpointException, RestoreException;
    }

    private static volatile ImageEngine engine;

    private Core() {
    }

    public static Context<Resource> getGlobalContext() {
        return GlobalContext.INSTANCE;
    }

    public static void checkpointRestore() throws CheckpointException, RestoreException {
        ImageEngine current = engine;
        if (current == null) {
            CheckpointException e = new CheckpointException();
            e.addSuppressed(new UnsupportedOperationException(
                    "no image engine: start the JVM with -javaagent:stasis-agent.jar (Stasis images through CRIU)"));
            throw e;
        }
        current.checkpointRestore();
    }

    /** Called once by the agent at start-up. */
    public static void install(ImageEngine imageEngine) {
        engine = imageEngine;
    }
}
