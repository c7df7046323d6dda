package io.stasis.agent.it.apps;

import io.stasis.api.Checkpointed;
import io.stasis.api.QuiescePoint;
import io.stasis.api.Stasis;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Money moved between two owners of state, each a large root of its own, by units of work: so the
 * agent writes the two roots on two lanes at once, and every snapshot must still be one cut, with
 * the total unchanged and both transfer counts equal. Started without state it fills both vaults;
 * started with state it prints what it restored and checks it. Then it moves money on two threads
 * while the main thread checkpoints in a loop, printing each committed sequence and whether a
 * lane's thread of the agent ({@code stasis-cut-N}) exists.
 */
public final class TwoVaultsApp {

    static final int ACCOUNTS = 150_000;
    static final long OPENING = 1_000_000;

    static final class North {
        @Checkpointed
        static long[] balances;
        @Checkpointed
        static long transfers;
    }

    static final class South {
        @Checkpointed
        static long[] balances;
        @Checkpointed
        static long transfers;
    }

    private static final Object LOCK = new Object();

    private TwoVaultsApp() {
    }

    /** One transfer between the vaults: a unit of work, so no cut falls between its two halves. */
    @QuiescePoint
    static void transfer(int from, int to, long amount, boolean northward) {
        synchronized (LOCK) {
            long[] source = northward ? South.balances : North.balances;
            long[] target = northward ? North.balances : South.balances;
            source[from] -= amount;
            North.transfers++;
            Thread.onSpinWait(); // half done
            target[to] += amount;
            South.transfers++;
        }
    }

    public static void main(String[] args) throws Exception {
        if (North.balances == null || South.balances == null) {
            North.balances = new long[ACCOUNTS];
            South.balances = new long[ACCOUNTS];
            Arrays.fill(North.balances, OPENING);
            Arrays.fill(South.balances, OPENING);
            System.out.println("filled");
        } else {
            long total = Arrays.stream(North.balances).sum() + Arrays.stream(South.balances).sum();
            System.out.println("restored sequence=" + Stasis.lastRestore().sequence() + " total=" + total
                    + " expected=" + 2 * ACCOUNTS * OPENING + " transfers=" + North.transfers + "/" + South.transfers);
        }
        for (int t = 0; t < 2; t++) {
            SplittableRandom random = new SplittableRandom(t);
            Thread mover = new Thread(() -> {
                while (true) {
                    transfer(random.nextInt(ACCOUNTS), random.nextInt(ACCOUNTS), random.nextLong(1, 1000),
                            random.nextBoolean());
                }
            }, "mover-" + t);
            mover.setDaemon(true);
            mover.start();
        }
        while (true) {
            long sequence = Stasis.checkpoint("vaults").sequence();
            boolean lanes = Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().startsWith("stasis-cut-"));
            System.out.println("committed " + sequence + " lanes=" + lanes);
        }
    }
}
