package io.stasis.agent.internal.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The hand-written readers accept exactly what the regular expressions they replace accepted. */
class OptionTextTest {

    private static final String[] SAMPLES = {"", "0", "10", "10ms", "10s", "10m", "10h", "10x", "ms", "1msx",
        "12345678901234567890s", "1.5s", "-1s", " 1s", "1 s", "1s ", "٣s", "1kb", "2g", "3b", "4gb", "5mb", "6k",
        "0.5%", "1%", "100%", "1000%", "1.%", ".5%", "1.23456%", "1.2345%", "12.3%", "%", "1%%", "a%", "1.5",
        "abc", "a.b-c_d", "a b", "a/b", "latest", "snapshot-0000000000000001", "é", "x".repeat(64), "x".repeat(65),
        "10/1h", "1/30s", "0/1h", "/1h", "10/", "1234567890/1h", "10/1h/2"};

    @ParameterizedTest
    @ValueSource(ints = {1, 9, 12, 15, Integer.MAX_VALUE})
    void aNumberAndUnitIsWhatTheRegularExpressionMatched(int maxDigits) {
        Pattern duration = Pattern.compile("(\\d{1," + (maxDigits == Integer.MAX_VALUE ? "" : maxDigits) + "})(ms|s|m|h)");
        Pattern size = Pattern.compile("(\\d{1," + (maxDigits == Integer.MAX_VALUE ? "" : maxDigits) + "})([kmg]?)b?");
        for (String text : SAMPLES) {
            assertSame(duration, text, OptionText.numberAndUnit(text, maxDigits, OptionsParser.DURATION_UNITS));
            String[] sized = OptionText.numberAndUnit(text, maxDigits, "", "b", "k", "kb", "m", "mb", "g", "gb");
            var m = size.matcher(text);
            assertEquals(m.matches(), sized != null, text);
            if (sized != null) {
                assertEquals(m.group(1), sized[0], text);
                assertEquals(m.group(2), sized[1].isEmpty() ? "" : sized[1].substring(0, 1).replace("b", ""), text);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.5%", "1%", "50%", "12.3456%"})
    void aPercentageGivesItsNumber(String text) {
        assertEquals(text.substring(0, text.length() - 1), OptionText.percent(text));
    }

    @Test
    void aPercentageIsWhatTheRegularExpressionMatched() {
        Pattern percent = Pattern.compile("(\\d{1,3}(?:\\.\\d{1,4})?)%");
        for (String text : SAMPLES) {
            var m = percent.matcher(text);
            assertEquals(m.matches() ? m.group(1) : null, OptionText.percent(text), text);
        }
    }

    @Test
    void aWordIsWhatTheRegularExpressionMatched() {
        Pattern name = Pattern.compile("[A-Za-z0-9._-]{1,64}");
        Pattern id = Pattern.compile("[A-Za-z0-9._-]+");
        for (String text : SAMPLES) {
            assertEquals(name.matcher(text).matches(), OptionText.isWord(text, "._-", 64), text);
            assertEquals(id.matcher(text).matches(), OptionText.isWord(text, "._-", Integer.MAX_VALUE), text);
        }
        assertTrue(OptionText.isWord("x".repeat(64), "._-", 64));
        assertFalse(OptionText.isWord("x".repeat(65), "._-", 64));
        assertNull(OptionText.percent("1.2.3%"));
    }

    private static void assertSame(Pattern pattern, String text, String[] parts) {
        var m = pattern.matcher(text);
        assertEquals(m.matches(), parts != null, text);
        if (parts != null) {
            assertArrayEquals(new String[] {m.group(1), m.group(2)}, parts, text);
        }
    }
}
