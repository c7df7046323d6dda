package io.stasis.agent.it.apps;

import io.stasis.api.Checkpointed;
import io.stasis.api.QuiescePoint;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A member of a group: a tick every 10 ms in a unit of work, and a report every 50 ticks of the
 * longest a tick waited at the gate (the longest the application was stopped). When the file named by the
 * first argument appears, a unit of work begins that lasts 5 s (a member stuck inside one).
 */
public final class GroupApp {

    @Checkpointed
    static long ticks;

    private GroupApp() {
    }

    @QuiescePoint
    static void tick() {
        ticks++;
    }

    @QuiescePoint
    static void stuck() throws InterruptedException {
        Thread.sleep(5_000);
    }

    public static void main(String[] args) throws Exception {
        Path trigger = args.length > 0 ? Path.of(args[0]) : null;
        System.out.println("start ticks=" + ticks);
        long maxWait = 0;
        boolean stuck = false;
        while (true) {
            long before = System.nanoTime();
            tick();
            maxWait = Math.max(maxWait, System.nanoTime() - before);
            if (ticks % 50 == 0) {
                System.out.println("ticks=" + ticks + " maxWaitMs=" + maxWait / 1_000_000);
            }
            if (!stuck && trigger != null && Files.exists(trigger)) {
                stuck = true;
                Thread worker = new Thread(() -> {
                    try {
                        stuck();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }, "stuck-worker");
                worker.start();
                System.out.println("stuck");
            }
            Thread.sleep(10);
        }
    }
}
