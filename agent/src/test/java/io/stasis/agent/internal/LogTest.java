package io.stasis.agent.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LogTest {

    @Test
    void millisAreWrittenAsStringFormatWritesThemInTheRootLocale() {
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < 100_000; i++) {
            long nanos = i < 1000 ? i * 500L : random.nextLong(0, 10_000_000_000_000L);
            for (int decimals : new int[] {0, 1, 3}) {
                // String.format rounds the decimal value half up; these nanos are exact in a double
                assertEquals(String.format(Locale.ROOT, "%." + decimals + "f", nanos / 1e6), Log.millis(nanos, decimals),
                        nanos + " ns, " + decimals + " decimals");
            }
        }
        assertEquals("-1.500", Log.millis(-1_500_000, 3));
        assertThrows(IllegalArgumentException.class, () -> Log.millis(1, 7));
    }
}
