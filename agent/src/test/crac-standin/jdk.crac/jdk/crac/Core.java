package jdk.crac;

import java.util.ArrayList;
import java.util.List;

/**
 * The global context keeps its Resources in registration order, notifies them in reverse order
 * before the checkpoint and in order after the restore, and collects their failures as suppressed
 * exceptions, as a CRaC JDK does. Each notification is printed, so a test can read the order.
 */
public final class Core {
    private static final GlobalContext GLOBAL = new GlobalContext();

    private Core() {
    }

    public static Context<Resource> getGlobalContext() {
        return GLOBAL;
    }

    public static void checkpointRestore() throws CheckpointException, RestoreException {
        System.out.println("jdk.crac stand-in: checkpoint");
        try {
            GLOBAL.beforeCheckpoint(null);
        } finally {
            GLOBAL.afterRestore(null);
        }
        System.out.println("jdk.crac stand-in: restored");
    }

    private static final class GlobalContext extends Context<Resource> {
        private final List<Resource> resources = new ArrayList<>();

        @Override
        public synchronized void register(Resource resource) {
            resources.add(resource);
        }

        @Override
        public void beforeCheckpoint(Context<? extends Resource> context) throws CheckpointException {
            List<Resource> all;
            synchronized (this) {
                all = new ArrayList<>(resources);
            }
            CheckpointException failed = null;
            for (int i = all.size() - 1; i >= 0; i--) {
                System.out.println("jdk.crac stand-in: beforeCheckpoint " + all.get(i));
                try {
                    all.get(i).beforeCheckpoint(this);
                } catch (Exception e) {
                    failed = failed == null ? new CheckpointException() : failed;
                    failed.addSuppressed(e);
                }
            }
            if (failed != null) {
                throw failed;
            }
        }

        @Override
        public void afterRestore(Context<? extends Resource> context) throws RestoreException {
            List<Resource> all;
            synchronized (this) {
                all = new ArrayList<>(resources);
            }
            RestoreException failed = null;
            for (Resource resource : all) {
                System.out.println("jdk.crac stand-in: afterRestore " + resource);
                try {
                    resource.afterRestore(this);
                } catch (Exception e) {
                    failed = failed == null ? new RestoreException() : failed;
                    failed.addSuppressed(e);
                }
            }
            if (failed != null) {
                throw failed;
            }
        }
    }
}
