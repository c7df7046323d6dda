package io.stasis.kryo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    @Test
    void aReferencedShortStringStaysSharedAndOneWhosePlaceWasTakenIsWrittenInFull() {
        String kept = new String("status-active"); // referenced twice at once: keeps its place
        String once = new String("written-once"); // referenced once before other strings take its place
        String large = "x".repeat(33);
        List<String> shared = new ArrayList<>(List.of("y"));
        List<Object> values = new ArrayList<>(List.of(kept, kept, kept, once, once, shared, large, shared, large));
        for (int i = 0; i < 20_000; i++) {
            values.add("other-" + i);
        }
        values.addAll(List.of(kept, once, large));
        byte[] bytes = ValueGraph.write(kryo, new Output(256, -1), values);
        String text = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
        assertEquals(1, text.split("status-activ", -1).length - 1, "written once, then referenced");
        assertEquals(2, text.split("written-onc", -1).length - 1, "written again once its place was taken");
        assertEquals(1, text.split("x".repeat(32), -1).length - 1, "a longer string is written once, then referenced");

        List<Object> back = ValueGraph.read(TestKryo.create(getClass().getClassLoader()), bytes, values.size());
        assertEquals(values, back);
        int end = values.size();
        assertSame(back.get(0), back.get(2));
        assertSame(back.get(3), back.get(4));
        assertSame(back.get(0), back.get(end - 3), "still a reference after 20,000 other strings");
        assertNotSame(back.get(3), back.get(end - 2), "written in full: an equal string of its own");
        assertSame(back.get(5), back.get(7), "ids after a string written in full still resolve");
        assertSame(back.get(6), back.get(8));
        assertSame(back.get(6), back.get(end - 1));
    }

    /**
     * As in a map of records that share a few names: adding an entry in the middle leaves the
     * bytes of the entries after it as they were, so an incremental checkpoint stores little more
     * than the new entry.
     */
    @Test
    void anEntryAddedInTheMiddleLeavesTheBytesOfTheEntriesAfterItAsTheyWere() {
        String[] names = {"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"};
        List<List<String>> entries = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            entries.add(new ArrayList<>(List.of("entry-" + i, names[i % names.length])));
        }
        byte[] before = ValueGraph.write(kryo, new Output(256, -1), List.of(entries));
        entries.add(1_500, new ArrayList<>(List.of("added", names[3])));
        byte[] after = ValueGraph.write(kryo, new Output(256, -1), List.of(entries));

        int tail = 0; // bytes equal from the end
        while (tail < before.length && before[before.length - 1 - tail] == after[after.length - 1 - tail]) {
            tail++;
        }
        int entriesAfter = 1_500 * before.length / 3_000;
        assertTrue(tail >= entriesAfter * 9 / 10, "only " + tail + " of about " + entriesAfter
                + " bytes after the added entry are unchanged");
    }

    @Test
    void repeatedShortStringsKeepTheFormThatAKryoWithStockReferencesReads() {
        String small = new String("k");
        List<String> shared = new ArrayList<>(List.of("v"));
        List<Object> graph = new ArrayList<>(List.of(small, small, shared, shared));
        byte[] bytes = ValueGraph.write(kryo, new Output(256, -1), List.of(graph));

        Kryo stock = new Kryo(); // Kryo's own reference resolver, which looks up every object written
        stock.setRegistrationRequired(false);
        stock.setReferences(true);
        SnapshotKryo.addDefaultSerializers(stock);
        List<?> back = (List<?>) ValueGraph.read(stock, bytes, 1).get(0);
        assertEquals(List.of("k", "k", List.of("v"), List.of("v")), back);
        assertSame(back.get(2), back.get(3));
    }

    @Test
    void graphsLargerAndSmallerThanTheLastKeepTheirSharedReferences() {
        for (int objects : new int[] {5_000, 20_000, 3_000, 40_000, 30_000, 100, 2_046, 2_047, 2_048, 2_049, 40_000}) {
            List<AtomicInteger> once = new ArrayList<>();
            for (int i = 0; i < objects; i++) {
                once.add(new AtomicInteger(i));
            }
            List<Object> twice = new ArrayList<>(once);
            twice.addAll(once);
            List<?> back = (List<?>) roundTrip(twice).get(0);
            assertEquals(2 * objects, back.size());
            for (int i = 0; i < objects; i++) {
                assertSame(back.get(i), back.get(objects + i), objects + " objects, at " + i);
                assertEquals(i, ((AtomicInteger) back.get(i)).get());
            }
        }
    }
}
