package io.stasis.agent.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The mirror's line in {@code status}: its upload lag and failures, only with {@code mirror=}. */
class StatusMirrorTest {

    private static String text(long lag, long failures) {
        Map<String, Object> checkpoints = new LinkedHashMap<>();
        checkpoints.put("LastOutcome", "success");
        checkpoints.put("MirrorLagMillis", lag);
        checkpoints.put("MirrorFailures", failures);
        Map<String, Object> restore = new LinkedHashMap<>();
        restore.put("Source", "none");
        return StatusCommand.StatusText.describe(42, new AgentStatus(checkpoints, restore), 1_000_000);
    }

    @Test
    void aLaggingMirrorShowsItsLagAndFailures() {
        String text = text(2500, 3);
        assertTrue(text.contains("mirror:           upload lag 2.5 s, 3 failed upload(s)"), text);
    }

    @Test
    void aCaughtUpMirrorSaysSoAndNoMirrorShowsNoLine() {
        assertTrue(text(0, 0).contains("mirror:           caught up, 0 failed upload(s)"), text(0, 0));
        assertFalse(text(-1, 0).contains("mirror:"), text(-1, 0));
    }
}
