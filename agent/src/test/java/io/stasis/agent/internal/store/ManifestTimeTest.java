package io.stasis.agent.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** A manifest's time is read as {@link Instant#parse} reads it, with or without the fast path. */
class ManifestTimeTest {

    @Test
    void everyInstantAsItsOwnTextReadsBackAsParseReadsIt() {
        SplittableRandom random = new SplittableRandom(5);
        for (int i = 0; i < 100_000; i++) {
            long seconds = random.nextLong(-62_000_000_000L, 253_000_000_000L); // years 5 to 9987
            int nanos = switch (i % 4) {
                case 0 -> 0;
                case 1 -> random.nextInt(1000) * 1_000_000;
                case 2 -> random.nextInt(1_000_000) * 1000;
                default -> random.nextInt(1_000_000_000);
            };
            Instant instant = Instant.ofEpochSecond(seconds, nanos);
            assertEquals(instant, ManifestCodec.time(instant.toString()), instant.toString());
        }
    }

    @Test
    void otherFormsAreLeftToTheFullParserAndFailAsItFails() {
        for (String text : List.of("2026-12-05T23:48:05.1Z", "2026-12-05T23:48:05.12345Z", "+12026-12-05T23:48:05Z",
                "-0001-01-01T00:00:00Z", "2026-12-05t23:48:05Z", "2026-12-05T23:48:05.Z", "2024-02-29T23:59:59.999999999Z")) {
            assertEquals(Instant.parse(text), ManifestCodec.time(text), text);
        }
        for (String text : List.of("2026-02-30T00:00:00Z", "2026-13-05T23:48:05Z", "2026-12-05T24:48:05Z",
                "2026-12-05T23:48:05.1234567890Z", "2026-12-05T23:48:05", "2026-12-05",
                "", "2026-1a-05T23:48:05Z", "2026-12-05T23:48:05+01:00x")) {
            assertThrows(DateTimeParseException.class, () -> Instant.parse(text), text);
            assertThrows(DateTimeParseException.class, () -> ManifestCodec.time(text), text);
        }
    }
}
