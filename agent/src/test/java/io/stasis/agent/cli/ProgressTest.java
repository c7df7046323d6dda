package io.stasis.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressTest {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream terminal = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    @Test
    void onATerminalTheLineIsRewrittenInPlaceAndErasedAtTheEnd() {
        try (Progress progress = Progress.untimed(terminal, "verifying /s")) {
            progress.detail("3 of 10 snapshots checked");
            progress.show();
            progress.detail("4 of 10");
            progress.show();
        }
        String text = bytes.toString(StandardCharsets.UTF_8);
        // "\rFIRST\rSECOND<spaces over what is left of FIRST>\r<spaces>\r", whatever the elapsed seconds
        String[] parts = text.split("\r", -1);
        assertEquals(5, parts.length, text);
        assertTrue(parts[1].matches("verifying /s … \\d+ s, 3 of 10 snapshots checked"), parts[1]);
        assertTrue(parts[2].matches("verifying /s … \\d+ s, 4 of 10 *"), parts[2]);
        assertEquals(parts[1].length(), parts[2].length(), "the longer line is covered: " + text);
        assertTrue(parts[3].isBlank() && parts[3].length() == parts[2].strip().length(), "erased: " + text);
        assertEquals("", parts[4]);
    }

    @Test
    void nothingShownMeansNothingErasedAndNoTerminalMeansNothingAtAll() {
        try (Progress progress = Progress.untimed(terminal, "quick")) {
            progress.detail("done");
        }
        assertEquals("", bytes.toString(StandardCharsets.UTF_8));
        try (Progress none = Progress.untimed(null, "to a pipe")) {
            none.show();
        }
        assertTrue(bytes.size() == 0);
    }
}
