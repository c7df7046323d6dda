package io.stasis.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stasis.agent.it.apps.GrowingApp;
import io.stasis.agent.testing.ForkedJvm;
import io.stasis.agent.testing.Jdk;
import io.stasis.api.Stasis;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code interval=auto} in a real JVM: as the application's state grows, checkpoints pause longer
 * and the interval grows so that pauses stay within the budget; while a unit of work outlasts
 * {@code quiesce-timeout}, periodic checkpoints fail and the schedule backs off, and it returns to
 * its pace after the first success; a fixed interval backs off the same way. Asserted on what the
 * agent logs, in order, not on timing.
 */
class AdaptiveCadenceIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(180);
    private static final double BUDGET = 0.05;
    private static final Pattern INTERVAL = Pattern.compile(
            "interval=auto: interval now ([0-9.]+) ms \\(last pause ([0-9.]+) ms, write ([0-9.]+) ms, pause-budget=5%\\)");
    private static final Pattern FAILED = Pattern.compile(
            "WARNING (\\d+) periodic checkpoint\\(s\\) failed in a row: the next is tried in ([0-9.]+) ms to ([0-9.]+) ms");

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.stasis.agent.testing.Jdks#all")
    void theIntervalFollowsThePauseAndBacksOffAfterFailures(Jdk jdk, @TempDir Path dir) throws Exception {
        // Stuck for 16 s: even where a loaded machine's pauses push the interval to interval.max (5 s),
        // at least two checkpoints fail in a row while the unit is stuck.
        List<String> lines = run(jdk, "dir=" + dir.resolve("state") + ",interval=auto,pause-budget=5%,interval.min=20ms,"
                + "interval.max=5s,quiesce-timeout=200ms,on-exit=false", "100", "16000");
        String output = String.join("\n", lines);
        assertTrue(output.contains("interval=auto (pause-budget=5%, 20ms to 5000ms)"), output);

        int grown = indexOf(lines, "grown blocks=100");
        List<double[]> intervals = new ArrayList<>();
        for (String line : lines.subList(0, grown)) {
            Matcher m = INTERVAL.matcher(line);
            if (m.find()) {
                double interval = Double.parseDouble(m.group(1));
                double pause = Double.parseDouble(m.group(2));
                double write = Double.parseDouble(m.group(3));
                intervals.add(new double[] {interval, pause});
                // The estimates the interval follows are never below the last observation; 1 ms for rounding.
                assertTrue(interval >= Math.min(5_000, pause / BUDGET) - 1,
                        "the interval keeps pauses within 5% of the time: " + line);
            }
        }
        assertTrue(intervals.size() >= 2, "the interval moved as the state grew:\n" + output);
        assertTrue(intervals.get(intervals.size() - 1)[0] > intervals.get(0)[0],
                "it grew with the pause:\n" + output);

        assertBacksOffAndRecovers(lines.subList(grown, lines.size()), 5_000);
    }

    /** A fixed interval backs off too (it retried at its own pace forever before), up to interval.max. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.stasis.agent.testing.Jdks#all")
    void aFixedIntervalBacksOffAfterFailuresAndReturnsToItsPace(Jdk jdk, @TempDir Path dir) throws Exception {
        List<String> lines = run(jdk, "dir=" + dir.resolve("state") + ",interval=200ms,interval.max=2s,"
                + "quiesce-timeout=100ms,on-exit=false", "5", "6000");
        String output = String.join("\n", lines);
        assertTrue(output.contains("interval=200ms"), output);
        assertTrue(lines.stream().noneMatch(l -> l.contains("interval=auto: interval now")), "a fixed interval does not adapt");
        assertBacksOffAndRecovers(lines.subList(indexOf(lines, "grown blocks=5"), lines.size()), 2_000);
    }

    private static List<String> run(Jdk jdk, String agentOptions, String... args) throws Exception {
        try (ForkedJvm app = ForkedJvm.on(jdk).agent(agentOptions)
                .classPath(ForkedJvm.classPathOf(GrowingApp.class, Stasis.class))
                .main(GrowingApp.class, args).start()) {
            app.awaitLineContaining("periodic checkpoints succeed again", TIMEOUT);
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (!committedAfterRecovery(app.lines()) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            app.kill9();
            return app.lines();
        }
    }

    /** Failures counted in a row, each retry waiting at least as long as the one before, then a success and more. */
    private static void assertBacksOffAndRecovers(List<String> lines, double maxMillis) {
        String output = String.join("\n", lines);
        List<Integer> failures = new ArrayList<>();
        double lowest = 0;
        int lastFailure = -1;
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = FAILED.matcher(lines.get(i));
            if (m.find()) {
                failures.add(Integer.parseInt(m.group(1)));
                double from = Double.parseDouble(m.group(2));
                assertTrue(from >= lowest, "each retry waits at least as long as the one before: " + lines.get(i));
                assertTrue(Double.parseDouble(m.group(3)) <= maxMillis + 0.1, "never past interval.max: " + lines.get(i));
                lowest = from;
                lastFailure = i;
            }
        }
        assertTrue(failures.size() >= 2, "periodic checkpoints failed while the unit was stuck:\n" + output);
        for (int n = 0; n < failures.size(); n++) {
            assertEquals(n + 1, failures.get(n), "counted in a row:\n" + output);
        }
        int recovered = indexOf(lines, "periodic checkpoints succeed again");
        assertTrue(recovered > lastFailure, output);
        assertTrue(committedAfterRecovery(lines), "and go on at their pace:\n" + output);
    }

    /** After the recovery, periodic checkpoints go on: written, or found unchanged and not written again. */
    private static boolean committedAfterRecovery(List<String> lines) {
        int recovered = indexOf(lines, "periodic checkpoints succeed again");
        return lines.subList(recovered, lines.size()).stream()
                .anyMatch(l -> l.contains("committed (interval)") || l.contains("nothing changed since checkpoint"));
    }

    private static int indexOf(List<String> lines, String text) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(text)) {
                return i;
            }
        }
        throw new AssertionError("no line with '" + text + "':\n" + String.join("\n", lines));
    }
}
