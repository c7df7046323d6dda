package io.stasis.agent.internal.cadence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class CadenceTest {

    private static final long MS = 1_000_000L;

    private static Cadence auto() {
        return Cadence.adaptive(0.01, Duration.ofMillis(100), Duration.ofSeconds(60));
    }

    @Test
    void anAdaptiveCadenceStartsAtItsMinimum() {
        Cadence cadence = auto();
        assertEquals(100 * MS, cadence.intervalNanos());
        assertEquals(100 * MS, cadence.nextDelayNanos(0.5));
    }

    @Test
    void theIntervalKeepsPausesWithinTheBudget() {
        Cadence cadence = auto();
        cadence.succeeded(5 * MS, 0);
        assertEquals(500 * MS, cadence.intervalNanos(), "5 ms of pause at 1% needs 500 ms of interval");
        cadence.succeeded(40 * MS, 0);
        assertEquals(4000 * MS, cadence.intervalNanos(), "a longer pause counts at once");
    }

    @Test
    void theIntervalGrowsAsPausesGrow() {
        Cadence cadence = auto();
        long previous = cadence.intervalNanos();
        for (long pause = 2; pause <= 200; pause *= 2) {
            cadence.succeeded(pause * MS, 0);
            assertTrue(cadence.intervalNanos() > previous, "pause " + pause + " ms");
            assertTrue(pause * MS <= cadence.intervalNanos() * 0.01 + 1, "pause within 1% of the interval");
            previous = cadence.intervalNanos();
        }
    }

    @Test
    void aShorterPausePullsTheIntervalDownGradually() {
        Cadence cadence = auto();
        cadence.succeeded(100 * MS, 0);
        assertEquals(10_000 * MS, cadence.intervalNanos());
        cadence.succeeded(10 * MS, 0);
        long once = cadence.intervalNanos();
        assertTrue(once < 10_000 * MS && once > 1_000 * MS, "one quick checkpoint moves it part of the way: " + once);
        for (int i = 0; i < 30; i++) {
            cadence.succeeded(10 * MS, 0);
        }
        assertEquals(1_000 * MS, cadence.intervalNanos(), 1 * MS);
    }

    @Test
    void writesDoNotSaturateTheDisk() {
        Cadence cadence = auto();
        cadence.succeeded(1 * MS, 300 * MS);
        assertEquals(100 * MS, cadence.intervalNanos(), "the first, cold, write does not count");
        cadence.succeeded(1 * MS, 300 * MS);
        assertEquals(4 * 300 * MS, cadence.intervalNanos(), "writes take at most a quarter of the time");
        cadence.succeeded(1 * MS, 100 * MS);
        assertTrue(cadence.intervalNanos() > 4 * 100 * MS, "and a quicker one pulls it down gradually");
    }

    @Test
    void theIntervalIsClampedToItsBounds() {
        Cadence cadence = auto();
        cadence.succeeded(1, 1);
        assertEquals(100 * MS, cadence.intervalNanos(), "never below interval.min");
        cadence.succeeded(10_000 * MS, 0);
        assertEquals(60_000 * MS, cadence.intervalNanos(), "never above interval.max");
    }

    @Test
    void failuresBackOffExponentiallyUpToTheCeilingAndOneSuccessRecovers() {
        Cadence cadence = auto();
        cadence.succeeded(10 * MS, 0); // 1 s
        long pace = cadence.intervalNanos();
        assertEquals(1_000 * MS, pace);
        long previousTop = pace;
        for (int n = 1; n <= 6; n++) {
            cadence.failed();
            assertEquals(n, cadence.failures());
            long top = cadence.nextDelayNanos(1.0);
            assertEquals(Math.min(60_000 * MS, pace << n), top, "failure " + n);
            assertTrue(top >= previousTop, "never shorter after another failure");
            previousTop = top;
        }
        for (int n = 0; n < 40; n++) {
            cadence.failed();
        }
        assertEquals(60_000 * MS, cadence.nextDelayNanos(1.0), "capped at interval.max, however many failures");
        cadence.succeeded(10 * MS, 0);
        assertEquals(0, cadence.failures());
        assertEquals(pace, cadence.nextDelayNanos(0.99), "back to its pace after a success");
    }

    @Test
    void jitterStaysInTheUpperHalfAndNeverBelowTheInterval() {
        Cadence cadence = Cadence.fixed(Duration.ofSeconds(1), Duration.ofMinutes(5));
        assertEquals(1_000 * MS, cadence.nextDelayNanos(0.3), "no jitter while checkpoints succeed");
        cadence.failed();
        cadence.failed(); // 4 s backed off
        for (double random = 0; random < 1; random += 0.05) {
            long delay = cadence.nextDelayNanos(random);
            assertTrue(delay >= 2_000 * MS && delay <= 4_000 * MS, "delay " + delay + " for " + random);
        }
        assertEquals(2_000 * MS, cadence.nextDelayNanos(0));
        assertTrue(cadence.nextDelayNanos(0.9) > cadence.nextDelayNanos(0.1), "the random number spreads retries");
        cadence.failed();
        cadence.failed();
        cadence.failed();
        cadence.failed(); // 64 s
        assertEquals(32_000 * MS, cadence.nextDelayNanos(0));
    }

    @Test
    void aFixedIntervalDoesNotAdaptButBacksOff() {
        Cadence cadence = Cadence.fixed(Duration.ofSeconds(30), Duration.ofMinutes(5));
        cadence.succeeded(10_000 * MS, 10_000 * MS);
        assertEquals(30_000 * MS, cadence.intervalNanos());
        for (int n = 0; n < 10; n++) {
            cadence.failed();
        }
        assertEquals(300_000 * MS, cadence.nextDelayNanos(1.0));
        cadence.succeeded(1, 1);
        assertEquals(30_000 * MS, cadence.nextDelayNanos(1.0));
    }

    @Test
    void aFixedIntervalLongerThanTheCeilingRetriesAtItsOwnPace() {
        Cadence cadence = Cadence.fixed(Duration.ofMinutes(10), Duration.ofMinutes(5));
        cadence.failed();
        assertEquals(Duration.ofMinutes(10).toNanos(), cadence.nextDelayNanos(0));
        assertEquals(Duration.ofMinutes(10).toNanos(), cadence.nextDelayNanos(1));
    }

    @Test
    void nonsensicalPoliciesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Cadence.adaptive(0, Duration.ofSeconds(1), Duration.ofSeconds(2)));
        assertThrows(IllegalArgumentException.class, () -> Cadence.adaptive(0.01, Duration.ofSeconds(3), Duration.ofSeconds(2)));
    }
}
