package io.stasis.agent.internal.metrics;

import io.stasis.agent.internal.Log;
import java.lang.management.ManagementFactory;
import java.util.function.LongSupplier;
import java.util.function.UnaryOperator;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;
import javax.management.StandardMBean;

/**
 * Registers {@code io.stasis:type=Checkpoints} and {@code io.stasis:type=Restore} on the platform
 * MBean server once that server exists, and never creates it: creating it costs a few hundred
 * milliseconds of CPU (every platform MXBean, a thousand classes), which a JVM nobody reads over
 * JMX should not pay. Whatever reads JMX creates it first (a JMX connector started by attach, as
 * {@code status PID}, JDK Mission Control and jconsole do; the Prometheus exporter; an APM agent;
 * the application), and a daemon thread that looks once a second registers ours then. (An
 * application that makes an MBean server of its own counts as a reader: the platform one is then made.)
 */
public final class Management {

    public static final String CHECKPOINTS = "io.stasis:type=Checkpoints";
    public static final String RESTORE = "io.stasis:type=Restore";
    /** How long after the platform MBean server appears ours are registered, at most (and a little). */
    public static final long POLL_MILLIS = 1000;

    private Management() {
    }

    /**
     * @param storeBytes what the store holds now, read when asked for
     * @param checkpoint takes a checkpoint with a reason and describes it; throws if it could not
     */
    public static void registerWhenRead(CheckpointStats checkpoints, StoreStats store, LongSupplier storeBytes,
                                     MirrorStats mirror, RestoreStats restore, UnaryOperator<String> checkpoint) {
        Thread thread = new Thread(() -> {
            try {
                // Lists the servers made so far, the platform's among them once made; creates none.
                while (MBeanServerFactory.findMBeanServer(null).isEmpty()) {
                    Thread.sleep(POLL_MILLIS);
                }
            } catch (InterruptedException | RuntimeException e) {
                return;
            }
            register(new Checkpoints(checkpoints, store, storeBytes, mirror, checkpoint), new Restore(restore));
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
