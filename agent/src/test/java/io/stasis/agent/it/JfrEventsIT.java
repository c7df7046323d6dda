package io.stasis.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stasis.agent.it.apps.ObservedApp;
import io.stasis.agent.testing.Command;
import io.stasis.agent.testing.ForkedJvm;
import io.stasis.agent.testing.Jdk;
import io.stasis.api.Stasis;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A JFR recording of a real run holds the agent's events with sane fields: checkpoints (committed
 * and abandoned; the duration is the pause), their writes with every stage, the thread held at the
 * gate, and in the next run each restored root. Read with the forked JDK's own {@code jfr} tool,
 * as an operator would.
 */
class JfrEventsIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.stasis.agent.testing.Jdks#all")
    void aRecordingHoldsTheAgentsEvents(Jdk jdk, @TempDir Path dir) throws Exception {
        Path first = dir.resolve("first.jfr");
        run(jdk, dir, first);
        Map<String, List<JsonNode>> events = events(jdk, first);

        List<JsonNode> checkpoints = events.get("io.stasis.Checkpoint");
        Map<String, JsonNode> byReason = new TreeMap<>();
        checkpoints.forEach(c -> byReason.put(c.get("reason").asText(), c));
        JsonNode held = byReason.get("held");
        assertEquals("committed", held.get("outcome").asText(), held.toString());
        assertEquals(1, held.get("roots").asInt());
        assertTrue(held.get("serializedBytes").asLong() > 0, held.toString());
        assertTrue(held.get("storedBytes").asLong() > held.get("serializedBytes").asLong(), "chunks plus manifest");
        assertEquals("", held.get("failure").asText());
        // The pause covers the wait for the slow unit (2 s from its start, the cut began soon after).
        assertTrue(millis(held) >= 500, "pause " + millis(held) + " ms: " + held);
        JsonNode abandoned = byReason.get("while-stuck");
        assertEquals("abandoned", abandoned.get("outcome").asText(), abandoned.toString());
        assertTrue(abandoned.get("failure").asText().contains("stuck-unit"), abandoned.toString());
        assertTrue(millis(abandoned) >= 1_900, "waited quiesce-timeout=2s: " + abandoned);
        JsonNode plain = byReason.get("plain");
        assertEquals("committed", plain.get("outcome").asText());
        assertTrue(plain.get("sequence").asLong() > held.get("sequence").asLong());

        // The exit checkpoint's write races the recording's dump at exit: it may or may not be in it.
        List<JsonNode> writes = events.get("io.stasis.CheckpointWrite").stream()
                .filter(w -> !w.get("eventThread").get("javaName").asText().equals("stasis-exit-checkpoint"))
                .toList();
        assertEquals(2, writes.size(), "one per committed checkpoint before exit: " + events.get("io.stasis.CheckpointWrite"));
        for (JsonNode write : writes) {
            assertEquals("written", write.get("outcome").asText());
            assertTrue(write.get("chunks").asInt() >= 1 && write.get("newChunks").asInt() <= write.get("chunks").asInt(),
                    write.toString());
            assertTrue(write.get("manifestBytes").asLong() > 0, write.toString());
            for (String stage : List.of("chunkingTime", "encodingTime", "packWriteTime", "fsyncTime", "publishTime")) {
                assertTrue(Duration.parse(write.get(stage).asText()).toNanos() > 0, stage + ": " + write);
                assertTrue(Duration.parse(write.get(stage).asText()).compareTo(Duration.parse(write.get("duration").asText())) <= 0,
                        stage + " within the write: " + write);
            }
        }
        assertEquals(held.get("sequence").asLong(), writes.get(0).get("sequence").asLong());

        List<JsonNode> waits = events.get("io.stasis.QuiesceWait");
        List<String> waiting = waits.stream().map(w -> w.get("eventThread").get("javaName").asText()).toList();
        assertTrue(waiting.contains("held-at-gate"), "the thread held at the gate: " + waits);
        JsonNode wait = waits.get(waiting.indexOf("held-at-gate"));
        // The wait ends when the thread runs again after the gate opens: on two busy CPUs that can come
        // a few milliseconds after the cut's event ended, so the comparison allows for scheduling.
        assertTrue(millis(wait) >= 100 && millis(wait) <= millis(held) + 100,
                "held while the cut lasted (" + millis(held) + " ms): " + wait);
        assertFalse(events.containsKey("io.stasis.Restore"), "nothing was restored in the first run");

        Path second = dir.resolve("second.jfr");
        assertTrue(run(jdk, dir, second).contains("restored entries=3"));
        List<JsonNode> restores = events(jdk, second).get("io.stasis.Restore");
        assertEquals(1, restores.size(), String.valueOf(restores));
        JsonNode restore = restores.get(0);
        assertEquals("static " + ObservedApp.class.getName(), restore.get("root").asText());
        assertEquals("restored", restore.get("outcome").asText());
        assertTrue(restore.get("bytes").asLong() > 0);
        assertFalse(restore.get("snapshot").asText().isEmpty());
        assertEquals("main", restore.get("eventThread").get("javaName").asText(), "on the thread that made the owner");
    }

    private static String run(Jdk jdk, Path dir, Path recording) throws Exception {
        try (ForkedJvm app = ForkedJvm.on(jdk)
                .jvmOption(recordingOption(recording))
                .agent("dir=" + dir.resolve("state") + ",quiesce-timeout=2s")
                .classPath(ForkedJvm.classPathOf(ObservedApp.class, Stasis.class))
                .main(ObservedApp.class).start()) {
            app.awaitLineContaining("done entries=", TIMEOUT);
            assertEquals(0, app.awaitExit(TIMEOUT), app.output());
            return app.output();
        }
    }

    /** {@code -XX:StartFlightRecording} of only our events (every gate wait), dumped to {@code recording} at exit. */
    static String recordingOption(Path recording) throws Exception {
        Path settings = Path.of(JfrEventsIT.class.getResource("/jfr/stasis-events.jfc").toURI());
        return "-XX:StartFlightRecording=filename=" + recording + ",settings=" + settings + ",dumponexit=true";
    }

    /** The recording's Stasis events by type, as {@code jfr print --json} gives them. */
    static Map<String, List<JsonNode>> events(Jdk jdk, Path recording) throws Exception {
        Command.Result jfr = Command.run(jdk.home().resolve("bin/jfr").toString(), "print", "--json", "--categories",
                "Stasis", recording.toString());
        String json = jfr.output();
        assertEquals(0, jfr.exitCode(), json);
        List<JsonNode> all = new ArrayList<>();
        new ObjectMapper().readTree(json).get("recording").get("events").forEach(all::add);
        return all.stream().collect(Collectors.groupingBy(e -> e.get("type").asText(), TreeMap::new,
                Collectors.mapping(e -> e.get("values"), Collectors.toList())));
    }

    private static long millis(JsonNode event) {
        return Duration.parse(event.get("duration").asText()).toMillis();
    }
}
