package io.stasis.agent.it.apps;

import io.stasis.api.Checkpointed;
import io.stasis.api.Stasis;
import java.lang.management.ManagementFactory;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;

/**
 * Whether the agent makes the platform MBean server on its own (it must not: that costs CPU in
 * every JVM), and whether it registers its MBeans once the application makes it.
 */
public final class LazyJmxApp {

    @Checkpointed
    static long count;

    private LazyJmxApp() {
    }

    public static void main(String[] args) throws Exception {
        count++;
        Stasis.checkpoint("lazy");
        Thread.sleep(3000); // three of the agent's looks for a server
        System.out.println("servers before the application asks: " + MBeanServerFactory.findMBeanServer(null).size());
        ObjectName checkpoints = new ObjectName("io.stasis:type=Checkpoints");
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!ManagementFactory.getPlatformMBeanServer().isRegistered(checkpoints) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        System.out.println("registered once made: " + ManagementFactory.getPlatformMBeanServer().isRegistered(checkpoints)
                + ", successes " + ManagementFactory.getPlatformMBeanServer().getAttribute(checkpoints, "Successes"));
    }
}
