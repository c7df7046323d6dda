package io.stasis.agent.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.TimeZone;
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

    @Test
    void linesCarryTheLocalTimeOfTheirZoneAsJavaTimeComputesIt() {
        DateTimeFormatter stamp = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS", Locale.ROOT);
        SplittableRandom random = new SplittableRandom(5);
        for (String id : new String[] {"UTC", "Europe/Berlin", "America/St_Johns", "Asia/Kolkata", "Australia/Lord_Howe",
                "Pacific/Kiritimati", "America/Los_Angeles"}) {
            TimeZone zone = TimeZone.getTimeZone(id);
            for (int i = 0; i < 20_000; i++) {
                // 1990 to 2060, DST changes included, and the milliseconds around each second
                long millis = random.nextLong(631_152_000_000L, 2_871_763_200_000L);
                String expected = "[stasis] " + LocalDateTime.ofInstant(Instant.ofEpochMilli(millis), zone.toZoneId())
                        .format(stamp) + " INFO text";
                assertEquals(expected, Log.format(Log.Level.INFO, "text", millis, zone), id + " at " + millis);
            }
        }
    }
}
