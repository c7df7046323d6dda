package io.stasis.benchmarks.startup;

import io.stasis.api.Checkpointed;
import io.stasis.api.QuiescePoint;
import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.Map;

/**
 * Like {@link HelloMain}, but with state the agent has to handle: a class with {@code @Checkpointed}
 * static fields (instrumented, registered, restored at start-up, captured at exit) and a
 * {@code @QuiescePoint} method. Prints the time to {@code main} and how many runs the restored
 * state has seen, so a run of the benchmark shows that restore really happened.
 */
public final class CheckpointedMain {

    @Checkpointed
    static long runs;

    @Checkpointed
    static Map<String, Long> counters = new HashMap<>();

    private CheckpointedMain() {
    }

    public static void main(String[] args) {
        long now = System.currentTimeMillis();
        long toMain = now - ManagementFactory.getRuntimeMXBean().getStartTime();
        recordRun(toMain);
        System.out.println("toMainMs=" + toMain + " runs=" + runs);
    }

    @QuiescePoint
    static void recordRun(long toMain) {
        runs++;
        counters.merge("toMainMs." + toMain, 1L, Long::sum);
    }
}
