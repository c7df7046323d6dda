package io.stasis.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** How inspect shows values: within the limits, cycles and depth cut, and never through the object's own code. */
class ViewsTest {

    static final class Point {
        int x = 1;
        String label = "p";
        Point next;

        @Override
        public String toString() {
            throw new AssertionError("the application's toString must not run");
        }
    }

    private static String line(Object value, RenderLimits limits) {
        return ViewText.line(Views.of(value, limits));
    }

    @Test
    void valuesAreShownByTheirOwnTextAndCollectionsByTheirElements() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("when", Instant.ofEpochSecond(0));
        map.put("count", new AtomicLong(3));
        map.put("maybe", Optional.of('c'));
        assertEquals("LinkedHashMap(3) {\"when\": 1970-01-01T00:00:00Z, \"count\": 3, \"maybe\": Optional{value='c'}}",
                line(map, new RenderLimits()));
        assertEquals("long[3] [1, 2, 3]", line(new long[] {1, 2, 3}, new RenderLimits()));
        assertEquals("ViewsTest.Point{label=\"p\", next=null, x=1}", line(new Point(), new RenderLimits()));
    }

    @Test
    void limitsCutElementsStringsAndDepth() {
        RenderLimits limits = new RenderLimits(2, 3, 5);
        assertEquals("ArrayList(10) [0, 1, 2, … 7 more]", line(new ArrayList<>(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9)), limits));
        assertEquals("\"abcde\"… (26 chars)", line("abcdefghijklmnopqrstuvwxyz", limits));
        Point deep = new Point();
        deep.next = new Point();
        deep.next.next = new Point();
        assertEquals("ViewsTest.Point{label=\"p\", next=ViewsTest.Point{label=\"p\", next=ViewsTest.Point{…}, x=1}, x=1}",
                line(deep, limits));
    }

    @Test
    void aCycleIsNamedNotFollowed() {
        Point a = new Point();
        a.next = a;
        assertEquals("ViewsTest.Point{label=\"p\", next=ViewsTest.Point (cycle), x=1}", line(a, new RenderLimits()));
        List<Object> self = new ArrayList<>();
        self.add(self);
        assertEquals("ArrayList(1) [ArrayList (cycle)]", line(self, new RenderLimits()));
    }

    @Test
    void jsonSaysWhatWasLeftOut() {
        RenderLimits limits = new RenderLimits(5, 2, 3);
        JsonNode list = ViewJson.of(Views.of(new ArrayList<>(List.of("abcdef", 2, 3)), limits));
        assertEquals("java.util.ArrayList", list.at("/@type").asText());
        assertEquals(3, list.at("/size").asInt());
        assertEquals(1, list.at("/more").asInt());
        assertEquals("abc", list.at("/elements/0/string").asText());
        assertEquals(6, list.at("/elements/0/length").asInt());
        assertEquals(2, list.at("/elements/1").asInt());
        JsonNode point = ViewJson.of(Views.of(new Point(), limits));
        assertEquals(1, point.at("/x").asInt());
        assertEquals(ViewsTest.Point.class.getName(), point.at("/@type").asText());
    }

    @Test
    void longValuesBreakIntoIndentedLines() {
        List<String> words = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            words.add("word-number-" + i + "-of-a-long-list");
        }
        StringWriter text = new StringWriter();
        ViewText.print(new PrintWriter(text, true), "  ", "words = ", Views.of(words, new RenderLimits(5, 3, 120)));
        assertEquals("""
                  words = ArrayList(8) [
                      "word-number-0-of-a-long-list"
                      "word-number-1-of-a-long-list"
                      "word-number-2-of-a-long-list"
                      … 5 more
                  ]
                """, text.toString());
    }
}
