package io.stasis.agent.internal.metrics;

import io.stasis.agent.internal.Log;
import java.lang.management.ManagementFactory;
import java.util.function.LongSupplier;
import java.util.function.UnaryOperator;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.StandardMBean;

/**
 * Registers {@code io.stasis:type=Checkpoints} and {@code io.stasis:type=Restore} on the platform
 * MBean server, from a daemon thread a moment after start-up: creating the platform server costs
 * tens of milliseconds of CPU that start-up must not pay, and a JVM that ends sooner never pays it.
 * {@code status PID} knows the delay and waits for it in a JVM that has only just started.
 */
public final class Management {

    public static final String CHECKPOINTS = "io.stasis:type=Checkpoints";
    public static final String RESTORE = "io.stasis:type=Restore";
    /** How long after start-up the MBeans appear. */
    public static final long REGISTER_DELAY_MILLIS = 1000;

    private Management() {
    }

    /**
     * @param storeBytes what the store holds now, read when asked for
     * @param checkpoint takes a checkpoint with a reason and describes it; throws if it could not
     */
    public static void registerLater(CheckpointStats checkpoints, StoreStats store, LongSupplier storeBytes,
                                     RestoreStats restore, UnaryOperator<String> checkpoint) {
        Thread thread = new Thread(() -> {
            try {
                Thread.sleep(REGISTER_DELAY_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            register(new Checkpoints(checkpoints, store, storeBytes, checkpoint), new Restore(restore));
        }, "stasis-jmx");
        thread.setDaemon(true);
        thread.setPriority(Thread.MIN_PRIORITY);
        thread.start();
    }

    static void register(CheckpointsMBean checkpoints, RestoreMBean restore) {
        try {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            server.registerMBean(new StandardMBean(checkpoints, CheckpointsMBean.class), new ObjectName(CHECKPOINTS));
            server.registerMBean(new StandardMBean(restore, RestoreMBean.class), new ObjectName(RESTORE));
        } catch (Exception | LinkageError e) {
            Log.warn("the MBeans " + CHECKPOINTS + " and " + RESTORE + " could not be registered (" + Log.describe(e)
                    + "); checkpoints go on, but JMX tools and 'status PID' cannot see them");
        }
    }
}
