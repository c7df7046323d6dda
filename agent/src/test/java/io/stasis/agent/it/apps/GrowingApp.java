package io.stasis.agent.it.apps;

import io.stasis.api.Checkpointed;
import io.stasis.api.QuiescePoint;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * State that stays empty for a second, then grows, so that each checkpoint's pause grows; then a unit of work that outlasts
 * {@code quiesce-timeout}, so that periodic checkpoints fail for a while; then quiet, until killed.
 * Arguments: blocks to add, milliseconds the stuck unit lasts.
 */
public final class GrowingApp {

    /** Boxed numbers: serializing them costs time per object, so the pause grows faster than the bytes written. */
    private static final int BLOCK = 10_000;

    @Checkpointed
    static List<List<Long>> blocks = new ArrayList<>();

    private GrowingApp() {
    }

    /** Growth inside a unit of work, so that a cut never sees the list half changed. */
    @QuiescePoint
    static void grow(SplittableRandom random) {
        List<Long> block = new ArrayList<>(BLOCK);
        for (int i = 0; i < BLOCK; i++) {
            block.add(random.nextLong());
        }
        blocks.add(block);
    }

    @QuiescePoint
    static void stuck(long millis) throws InterruptedException {
        Thread.sleep(millis);
    }

    public static void main(String[] args) throws Exception {
        int count = Integer.parseInt(args[0]);
        SplittableRandom random = new SplittableRandom(42);
        // Empty state for a second: the agent's start-up, which runs beside main, and its first
        // checkpoints (and their cold first pause) come before the state grows.
        Thread.sleep(1_000);
        for (int i = 0; i < count; i++) {
            grow(random);
            Thread.sleep(30);
        }
        System.out.println("grown blocks=" + blocks.size());
        stuck(Long.parseLong(args[1]));
        System.out.println("unstuck");
        Thread.sleep(120_000); // the test ends it once it has seen what it waits for
        System.out.println("done");
    }
}
