package io.stasis.agent.it.apps;

import io.stasis.api.Checkpointed;

/** A counter that goes up every 20 ms and says so every 50 counts, until killed: state that always changes. */
public final class CounterApp {

    @Checkpointed
    static long count;

    private CounterApp() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println("start count=" + count);
        while (true) {
            count++;
            if (count % 50 == 0) {
                System.out.println("count=" + count);
            }
            Thread.sleep(20);
        }
    }
}
