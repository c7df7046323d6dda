package io.stasis.agent.it.apps;

import io.stasis.api.Checkpointed;
import io.stasis.api.QuiescePoint;
import io.stasis.api.Stasis;
import java.util.concurrent.atomic.AtomicInteger;
import org.crac.Context;
import org.crac.Core;
import org.crac.Resource;

/**
 * Ticks until {@code args[0]}, printing each tick and where its state came from; registers an
 * {@code org.crac} Resource that prints each notification. With {@code self-image}, it asks for its
 * own image at tick 20 ({@code Core.checkpointRestore()}).
 */
public final class ImageApp {

    @Checkpointed
    static long ticks;

    private static final AtomicInteger BEFORE = new AtomicInteger();
    private static final AtomicInteger AFTER = new AtomicInteger();
    private static final Resource RESOURCE = new Resource() {
        @Override
        public void beforeCheckpoint(Context<? extends Resource> context) {
            System.out.println("resource beforeCheckpoint #" + BEFORE.incrementAndGet() + " at tick " + ticks);
        }

        @Override
        public void afterRestore(Context<? extends Resource> context) {
            System.out.println("resource afterRestore #" + AFTER.incrementAndGet() + " at tick " + ticks);
        }
    };

    private ImageApp() {
    }

    public static void main(String[] args) throws Exception {
        long until = Long.parseLong(args[0]);
        boolean selfImage = args.length > 1 && args[1].equals("self-image");
        Core.getGlobalContext().register(RESOURCE);
        makeGarbage(Integer.getInteger("garbageMb", 0));
        System.out.println("ready " + ProcessHandle.current().pid() + " from " + Stasis.lastRestore().source());
        while (ticks < until) {
            tick();
            if (selfImage && ticks == 20) {
                Core.checkpointRestore();
                System.out.println("checkpointRestore returned: " + Stasis.lastRestore().source());
            }
            Thread.sleep(20);
        }
        System.out.println("done " + ticks);
    }

    /** Grows the heap with arrays that are garbage at once: committed, touched memory that holds nothing live. */
    private static void makeGarbage(int megabytes) {
        java.util.List<byte[]> held = new java.util.ArrayList<>();
        for (int i = 0; i < megabytes; i++) {
            byte[] block = new byte[1 << 20];
            java.util.Arrays.fill(block, (byte) i);
            held.add(block);
        }
        held.clear();
    }

    @QuiescePoint
    static void tick() {
        ticks++;
        System.out.println("tick " + ticks + " " + Stasis.lastRestore().source());
    }
}
