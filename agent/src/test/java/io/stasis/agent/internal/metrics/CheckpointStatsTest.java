package io.stasis.agent.internal.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class CheckpointStatsTest {

    @Test
    void aRetryIsAnAttemptThatFollowsAFailure() {
        CheckpointStats stats = new CheckpointStats(0, 0);
        stats.attempted();
        stats.committed(1_000, 1, 2, 3);
        stats.attempted();
        stats.failed("disk full");
        stats.attempted();
        stats.failed("disk full again");
        stats.attempted();
        stats.committed(2_000, 1, 2, 3);
        stats.attempted();
        stats.committed(3_000, 1, 2, 3);
        assertEquals(List.of(5L, 3L, 2L, 2L),
                List.of(stats.attempts(), stats.successes(), stats.failures(), stats.retries()));
        assertEquals("success", stats.lastOutcome());
        assertEquals("disk full again", stats.lastFailure(), "kept after the success that followed");
    }

    @Test
    void theOutcomeIsNoneBeforeTheFirstAttemptAndTheAgeIsMinusOne() {
        CheckpointStats stats = new CheckpointStats(30_000, 0);
        assertEquals("none", stats.lastOutcome());
        assertEquals(-1, stats.lastSuccessAgeMillis(System.currentTimeMillis()));
        assertEquals(0, stats.lastSuccessEpochMillis());
        stats.attempted();
        stats.failed("no");
        assertEquals("failure", stats.lastOutcome());
        assertEquals(-1, stats.lastSuccessAgeMillis(System.currentTimeMillis()));
        stats.committed(5_000, 1, 2, 3);
        assertEquals(2_500, stats.lastSuccessAgeMillis(7_500));
    }

    @Test
    void staleOnlyWithMaxAgeCountedFromStartThenFromTheLastSuccess() {
        long now = System.currentTimeMillis();
        assertFalse(new CheckpointStats(0, 0).stale(Long.MAX_VALUE - 1), "never stale without max-age");
        CheckpointStats stats = new CheckpointStats(0, 60_000);
        assertFalse(stats.stale(now));
        assertTrue(stats.stale(now + 61_000), "no success since start-up for longer than max-age");
        stats.committed(now + 50_000, 1, 2, 3);
        assertFalse(stats.stale(now + 61_000));
        assertTrue(stats.stale(now + 111_000));
        stats.failed("later failures do not reset the clock");
        assertTrue(stats.stale(now + 111_000));
    }
}
