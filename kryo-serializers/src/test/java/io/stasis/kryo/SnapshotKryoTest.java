package io.stasis.kryo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Output;
import java.io.File;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The first version's coverage: what snapshots of ordinary application state hold. */
class SnapshotKryoTest {

    enum Mood {
        CALM,
        ANGRY {
            @Override
            String shout() {
                return "!";
            }
        };

        String shout() {
            return "";
        }
    }

    record Reading(String sensor, double value, Instant at) {
    }

    record Box<T>(T content, List<T> more) {
    }

    private final Kryo kryo = TestKryo.create(getClass().getClassLoader());

    private List<Object> roundTrip(Object... values) {
        byte[] bytes = ValueGraph.write(kryo, new Output(256, -1), List.of(values));
        return ValueGraph.read(TestKryo.create(getClass().getClassLoader()), bytes, values.length);
    }

    @Test
    void jdkValueTypesThatStockKryoCannotWrite() {
        Pattern pattern = Pattern.compile("a+b", Pattern.CASE_INSENSITIVE);
        List<Object> back = roundTrip(new UUID(1, 2), URI.create("https://example.invalid/x?y=1"), new File("/tmp/f"),
                pattern, new AtomicInteger(3), new AtomicLong(4), new AtomicBoolean(true), new AtomicReference<>("r"));
        assertEquals(new UUID(1, 2), back.get(0));
        assertEquals(URI.create("https://example.invalid/x?y=1"), back.get(1));
        assertEquals(new File("/tmp/f"), back.get(2));
        Pattern patternBack = (Pattern) back.get(3);
        assertEquals(pattern.pattern(), patternBack.pattern());
        assertEquals(pattern.flags(), patternBack.flags());
        assertEquals(3, ((AtomicInteger) back.get(4)).get());
        assertEquals(4, ((AtomicLong) back.get(5)).get());
        assertEquals(true, ((AtomicBoolean) back.get(6)).get());
        assertEquals("r", ((AtomicReference<?>) back.get(7)).get());
    }

    @Test
    void recordsEnumsCollectionsAndTime() {
        Map<String, Reading> readings = new HashMap<>();
        readings.put("t1", new Reading("t1", 21.5, Instant.ofEpochSecond(1_700_000_000L)));
        TreeMap<LocalDate, Duration> days = new TreeMap<>();
        days.put(LocalDate.of(2026, 1, 2), Duration.ofMinutes(90));
        Box<Mood> box = new Box<>(Mood.ANGRY, List.of(Mood.CALM));
        ZonedDateTime when = ZonedDateTime.of(2026, 3, 29, 2, 30, 0, 0, ZoneId.of("Europe/Paris"));
        List<Object> back = roundTrip(readings, days, box, when, List.of(1, 2, 3), Map.of("k", "v"));
        assertEquals(readings, back.get(0));
        assertEquals(days, back.get(1));
        assertEquals(box, back.get(2));
        assertSame(Mood.ANGRY, ((Box<?>) back.get(2)).content());
        assertEquals(when, back.get(3));
        assertEquals(List.of(1, 2, 3), back.get(4));
        assertEquals(Map.of("k", "v"), back.get(5));
    }

    @Test
    void referencesSharedBetweenValuesOfOneGraphStayShared() {
        List<String> shared = new ArrayList<>(List.of("x"));
        AtomicReference<Object> cycle = new AtomicReference<>();
        cycle.set(List.of(cycle));
        List<Object> back = roundTrip(shared, shared, cycle);
        assertSame(back.get(0), back.get(1));
        AtomicReference<?> cycleBack = (AtomicReference<?>) back.get(2);
        assertSame(cycleBack, ((List<?>) cycleBack.get()).get(0));
    }
}
