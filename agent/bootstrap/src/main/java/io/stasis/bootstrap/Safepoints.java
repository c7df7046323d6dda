package io.stasis.bootstrap;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * Makes every Java thread pass a HotSpot safepoint, which is how {@link QuiesceGate} takes the
 * cost of ordering off the threads that enter units of work (its class comment says why that is
 * enough).
 *
 * <p>{@link ThreadMXBean#findMonitorDeadlockedThreads()} runs {@code VM_FindDeadlocks}, a VM
 * operation evaluated at a safepoint on JDK 17 and 25 ({@code management.cpp}
 * {@code find_deadlocks}: {@code VMThread::execute(&op)}; {@code -Xlog:vmoperation=debug} shows
 * "FindDeadlocks, mode: safepoint"), and does little there: it follows each thread's pending
 * monitor, without walking stacks. Where {@code java.management} is not in the boot layer,
 * {@link Thread#getAllStackTraces()} runs {@code VM_ThreadDump}, also at a safepoint, and walks
 * every stack.
 */
final class Safepoints {

    private static volatile boolean withoutManagement;

    private Safepoints() {
    }

    /** Returns once every Java thread has been stopped at a safepoint, or was in native or blocked code. */
    static void everyThreadPasses() {
        if (!withoutManagement) {
            try {
                Management.safepoint();
                return;
            } catch (LinkageError e) {
                withoutManagement = true; // java.management is not resolved: an image made without it
            }
        }
        Thread.getAllStackTraces();
    }

    /** Apart, so that nothing of {@code java.management} is resolved unless it is there. */
    private static final class Management {
        private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

        static void safepoint() {
            THREADS.findMonitorDeadlockedThreads();
        }
    }
}
