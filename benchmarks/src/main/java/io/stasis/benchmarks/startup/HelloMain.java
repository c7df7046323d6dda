package io.stasis.benchmarks.startup;

import java.lang.management.ManagementFactory;

/**
 * A trivial application for benchmarks/startup.sh: prints how long the JVM took from its start to
 * this {@code main} (milliseconds, as the JVM records its start time) and exits.
 */
public final class HelloMain {

    private HelloMain() {
    }

    public static void main(String[] args) {
        long now = System.currentTimeMillis();
        long toMain = now - ManagementFactory.getRuntimeMXBean().getStartTime();
        System.out.println("toMainMs=" + toMain);
    }
}
