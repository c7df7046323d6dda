package io.stasis.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stasis.agent.it.apps.ImageApp;
import io.stasis.agent.it.apps.LazyJmxApp;
import io.stasis.agent.testing.ForkedJvm;
import io.stasis.agent.testing.Jdk;
import io.stasis.agent.testing.Jmx;
import io.stasis.agent.testing.Unwritable;
import io.stasis.api.Stasis;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.management.RuntimeMBeanException;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The operator's view of a running agent, through the tools an operator uses: a JMX connection from
 * another process ({@code io.stasis:type=Checkpoints} and {@code io.stasis:type=Restore}),
 * {@code status PID}, and the Prometheus JMX exporter beside the agent. Failures are real: the
 * store's {@code packs/} directory is made immutable ({@link Unwritable}), which stops root too.
 */
class ObservabilityIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String CLASS_PATH = ForkedJvm.classPathOf(ImageApp.class, Stasis.class, org.crac.Core.class);
    private static final String CHECKPOINTS = "io.stasis:type=Checkpoints";
    private static final String RESTORE = "io.stasis:type=Restore";
    private static final String FORENSICS = "io.stasis:type=Forensics";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> CONTRACT = List.of("Attempts", "Successes", "Failures", "Retries",
            "LastSuccessEpochMillis", "LastSuccessAgeMillis", "LastPauseMillis", "LastDurationMillis",
            "LastPublishMillis", "LastSizeBytes", "LastStoredBytes", "StoreBytes", "VerificationFailures",
            "IntervalMillis", "LastFailure", "MirrorLagMillis", "MirrorFailures");
    private static final List<String> RESTORE_CONTRACT = List.of("Source", "SnapshotSequence",
            "SnapshotAgeAtRestoreMillis", "RestoreMillis", "RootsRestored", "RootsPending", "RootsRefused");

    @ParameterizedTest
    @MethodSource("io.stasis.agent.testing.Jdks#all")
    void everyAttributeHoldsTheRightValueAfterCheckpointsAFailureAndARestart(Jdk jdk, @TempDir Path tmp)
            throws Exception {
        Path data = tmp.resolve("data");
        long started = System.currentTimeMillis();
        long thirdCut;
        try (ForkedJvm app = ticking(jdk, "dir=" + data + ",on-exit=false,interval=1h,max-age=2h")) {
            app.awaitLineContaining("tick 3 ", TIMEOUT);
            try (Jmx jmx = Jmx.connect(app.pid())) {
                jmx.await(CHECKPOINTS, TIMEOUT);
                Map<String, Object> c = jmx.all(CHECKPOINTS);
                assertTrue(c.keySet().containsAll(CONTRACT), c.keySet().toString());
                assertTrue(jmx.all(RESTORE).keySet().containsAll(RESTORE_CONTRACT), jmx.all(RESTORE).toString());
                assertEquals(0L, c.get("Attempts"), c.toString());
                assertEquals(0L, c.get("LastSuccessEpochMillis"));
                assertEquals(-1L, c.get("LastSuccessAgeMillis"));
                assertEquals("none", c.get("LastOutcome"));
                assertEquals("", c.get("LastFailure"));
                assertEquals(3_600_000L, c.get("IntervalMillis"));
                assertEquals(7_200_000L, c.get("MaxAgeMillis"));
                assertEquals(false, c.get("Stale"));
                assertEquals(-1L, c.get("MirrorLagMillis"), "no mirror");
                assertEquals(0L, c.get("MirrorFailures"));
                long due = (Long) c.get("NextDueEpochMillis");
                assertTrue(due >= started + 3_600_000L && due <= System.currentTimeMillis() + 3_600_000L, c.toString());
                Map<String, Object> r = jmx.all(RESTORE);
                assertEquals(Map.of("Source", "none", "SnapshotSequence", -1L, "SnapshotAgeAtRestoreMillis", -1L,
                        "RestoreMillis", 0.0, "RootsRestored", 0L, "RootsPending", 0L, "RootsRefused", 0L), r);

                long before = System.currentTimeMillis();
                for (int i = 1; i <= 3; i++) {
                    String said = (String) jmx.invoke(CHECKPOINTS, "checkpoint", "ops-" + i);
                    assertTrue(said.startsWith("snapshot " + i + " committed (ops-" + i + ")"), said);
                }
                long after = System.currentTimeMillis();
                c = jmx.all(CHECKPOINTS);
                assertCounts(c, 3, 3, 0, 0);
                assertEquals("success", c.get("LastOutcome"));
                thirdCut = (Long) c.get("LastSuccessEpochMillis");
                assertTrue(thirdCut >= before && thirdCut <= after, c.toString());
                long age = jmx.number(CHECKPOINTS, "LastSuccessAgeMillis");
                assertTrue(age >= 0 && age <= System.currentTimeMillis() - thirdCut, age + " " + c);
                double pause = (Double) c.get("LastPauseMillis");
                double duration = (Double) c.get("LastDurationMillis");
                double publish = (Double) c.get("LastPublishMillis");
                assertTrue(pause > 0 && duration >= pause && publish > 0 && publish <= duration, c.toString());
                assertEquals(serializedBytes(jdk, data, "3"), c.get("LastSizeBytes"), c.toString());
                assertEquals(size(data.resolve("manifests/snapshot-0000000000000003.json"))
                        + size(data.resolve("packs/pack-0000000000000003.pack")), c.get("LastStoredBytes"), c.toString());
                assertEquals(storeFiles(data), c.get("StoreBytes"), c.toString());
                assertEquals(0L, c.get("VerificationFailures"));

                long failedFrom = System.currentTimeMillis();
                try (Unwritable ignored = Unwritable.make(data.resolve("packs"))) {
                    RuntimeMBeanException refused = assertThrows(RuntimeMBeanException.class,
                            () -> jmx.invoke(CHECKPOINTS, "checkpoint", "ops-4"));
                    assertTrue(String.valueOf(refused.getCause()).contains("could not be written to the store"),
                            String.valueOf(refused.getCause()));
                }
                c = jmx.all(CHECKPOINTS);
                assertCounts(c, 4, 3, 1, 0);
                assertEquals("failure", c.get("LastOutcome"));
                String failure = (String) c.get("LastFailure");
                assertTrue(failure.contains("checkpoint 'ops-4' could not be written to the store")
                        && failure.contains("Operation not permitted"), failure);
                long failedAt = (Long) c.get("LastFailureEpochMillis");
                assertTrue(failedAt >= failedFrom && failedAt <= System.currentTimeMillis(), c.toString());
                assertEquals(thirdCut, c.get("LastSuccessEpochMillis"), "a failure leaves the last success alone");
                assertEquals(false, c.get("Stale"));

                String said = (String) jmx.invoke(CHECKPOINTS, "checkpoint", "ops-5");
                assertTrue(said.startsWith("snapshot 4 committed (ops-5)"), said);
                c = jmx.all(CHECKPOINTS);
                assertCounts(c, 5, 4, 1, 1);
                assertEquals("success", c.get("LastOutcome"));
                assertEquals(failure, c.get("LastFailure"), "the last failure stays readable after a success");
            }
            app.kill9();
        }

        // Snapshot 4 damaged: the restart restores 3 and counts the one that did not verify.
        Files.writeString(data.resolve("manifests/snapshot-0000000000000004.json"), "{ damaged");
        long restarted = System.currentTimeMillis();
        try (ForkedJvm again = ticking(jdk, "dir=" + data + ",on-exit=false")) {
            again.awaitLineContaining("ready " + again.pid() + " from SNAPSHOT", TIMEOUT);
            try (Jmx jmx = Jmx.connect(again.pid())) {
                jmx.await(RESTORE, TIMEOUT);
                Map<String, Object> r = jmx.all(RESTORE);
                assertEquals("snapshot", r.get("Source"), r.toString());
                assertEquals(3L, r.get("SnapshotSequence"));
                long ageAtRestore = (Long) r.get("SnapshotAgeAtRestoreMillis");
                assertTrue(ageAtRestore >= restarted - thirdCut && ageAtRestore <= System.currentTimeMillis() - thirdCut,
                        r + ", cut at " + thirdCut);
                assertEquals(1L, r.get("RootsRestored"), r.toString()); // ImageApp's statics
                assertEquals(0L, r.get("RootsPending"));
                assertEquals(0L, r.get("RootsRefused"));
                assertTrue((Double) r.get("RestoreMillis") > 0, r.toString());
                Map<String, Object> c = jmx.all(CHECKPOINTS);
                assertEquals(1L, c.get("VerificationFailures"), c.toString());
                assertCounts(c, 0, 0, 0, 0);
                assertEquals(0L, c.get("IntervalMillis"));
                assertEquals(0L, c.get("NextDueEpochMillis"));
                assertEquals(0L, c.get("MaxAgeMillis"));
                assertEquals(false, c.get("Stale"));
                assertEquals(storeFiles(data), c.get("StoreBytes"));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("io.stasis.agent.testing.Jdks#all")
    void statusIsHealthyThenFailingAndExitsOneWhileTheLastCheckpointFailed(Jdk jdk, @TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("data");
        try (ForkedJvm app = ticking(jdk, "dir=" + data + ",on-exit=false")) {
            app.awaitLineContaining("tick 3 ", TIMEOUT);
            try (Jmx jmx = Jmx.connect(app.pid())) {
                jmx.await(CHECKPOINTS, TIMEOUT);
                jmx.invoke(CHECKPOINTS, "checkpoint", "ops");
                Status healthy = status(jdk, app.pid());
                assertEquals(0, healthy.exit, healthy.text);
                assertTrue(healthy.text.startsWith("process " + app.pid() + ": healthy"), healthy.text);
                assertTrue(healthy.text.contains("1 attempted, 1 succeeded, 0 failed"), healthy.text);
                assertTrue(healthy.text.contains("next due:         not scheduled (interval=off)"), healthy.text);
                assertTrue(healthy.text.contains("restore at start: nothing restored"), healthy.text);
                JsonNode json = statusJson(jdk, app.pid(), 0);
                assertEquals("healthy", json.get("health").asText());
                assertEquals(app.pid(), json.get("pid").asLong());
                assertEquals(1, json.get("checkpoints").get("Successes").asLong(), json.toString());
                assertEquals("none", json.get("restore").get("Source").asText(), json.toString());

                try (Unwritable ignored = Unwritable.make(data.resolve("packs"))) {
                    assertThrows(RuntimeMBeanException.class, () -> jmx.invoke(CHECKPOINTS, "checkpoint", "ops"));
                }
                Status failing = status(jdk, app.pid());
                assertEquals(1, failing.exit, failing.text);
                assertTrue(failing.text.startsWith("process " + app.pid() + ": FAILING: the last checkpoint failed"),
                        failing.text);
                assertTrue(failing.text.contains("Operation not permitted"), failing.text);
                json = statusJson(jdk, app.pid(), 1);
                assertEquals("failing", json.get("health").asText());
                assertEquals("failure", json.get("checkpoints").get("LastOutcome").asText());

                jmx.invoke(CHECKPOINTS, "checkpoint", "ops");
                assertEquals(0, status(jdk, app.pid()).exit, "healthy again once one succeeds");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("io.stasis.agent.testing.Jdks#all")
    void withMaxAgeNoSuccessIsStaleWarnedOnceAndStatusExitsOne(Jdk jdk, @TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("data");
        try (ForkedJvm app = ticking(jdk, "dir=" + data + ",on-exit=false,max-age=2s")) {
            app.awaitLineContaining("no checkpoint has succeeded for 2s (max-age=2s), none since start-up", TIMEOUT);
            Status stale = status(jdk, app.pid());
            assertEquals(1, stale.exit, stale.text);
            assertTrue(stale.text.startsWith("process " + app.pid() + ": STALE: no checkpoint has succeeded for more"
                    + " than max-age=2.0 s"), stale.text);
            assertTrue(stale.text.contains("last checkpoint:  none has succeeded yet"), stale.text);
            JsonNode json = statusJson(jdk, app.pid(), 1);
            assertEquals("stale", json.get("health").asText());
            assertTrue(json.get("checkpoints").get("Stale").asBoolean(), json.toString());
            assertEquals(1, app.lines().stream().filter(l -> l.contains("no checkpoint has succeeded for")).count(),
                    "warned once, not again while it stays stale:\n" + app.output());
            try (Jmx jmx = Jmx.connect(app.pid())) {
                jmx.invoke(CHECKPOINTS, "checkpoint", "ops");
                assertEquals(false, jmx.get(CHECKPOINTS, "Stale"));
            }
            app.awaitLineContaining("the state is no longer stale", TIMEOUT);
        }
    }

    @ParameterizedTest
    @MethodSource("io.stasis.agent.testing.Jdks#all")
    void statusSaysWhenAJvmHasNoStasisAgentAndDoesNotLoadIt(Jdk jdk) throws Exception {
        try (ForkedJvm app = ForkedJvm.on(jdk).classPath(CLASS_PATH).main(ImageApp.class, "100000000").start()) {
            app.awaitLineContaining("tick 3 ", TIMEOUT);
            Status absent = status(jdk, app.pid());
            assertEquals(1, absent.exit, absent.text);
            assertTrue(absent.text.contains("process " + app.pid() + " has no Stasis agent"), absent.text);
            try (Jmx jmx = Jmx.connect(app.pid())) {
                assertTrue(jmx.server().queryNames(new javax.management.ObjectName("io.stasis:*"), null).isEmpty());
            }
            assertFalse(app.output().contains("[stasis]"), app.output());
        }
    }

    /** Registration costs nothing in a JVM nobody reads over JMX: the agent never makes the platform MBean server. */
    @ParameterizedTest
    @MethodSource("io.stasis.agent.testing.Jdks#all")
    void theAgentRegistersItsMBeansOnlyOnceSomethingMakesThePlatformServer(Jdk jdk, @TempDir Path tmp) throws Exception {
        try (ForkedJvm app = ForkedJvm.on(jdk).agent("dir=" + tmp.resolve("data") + ",on-exit=false")
                .classPath(ForkedJvm.classPathOf(LazyJmxApp.class, Stasis.class)).main(LazyJmxApp.class).start()) {
            assertEquals(0, app.awaitExit(TIMEOUT), app.output());
            assertTrue(app.output().contains("servers before the application asks: 0"), app.output());
            assertTrue(app.output().contains("registered once made: true, successes 1"), app.output());
        }
    }

    /**
     * The Prometheus JMX exporter (the real javaagent, pinned in the parent pom) beside our agent,
     * whitelisting {@code io.stasis}: its scrape on loopback holds our success, failure, pause and age
     * metrics with the values JMX gives, and every metric the documented alert rules use.
     */
    @ParameterizedTest
    @MethodSource("io.stasis.agent.testing.Jdks#all")
    void thePrometheusExporterShowsSuccessFailurePauseAndAge(Jdk jdk, @TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("data");
        Path config = tmp.resolve("exporter.yml");
        Files.writeString(config, "includeObjectNames: [\"io.stasis:*\"]\n");
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Path exporter = Path.of(ForkedJvm.locationOf(Class.forName("io.prometheus.jmx.JavaAgent")));
        String forensics = ",forensics=on,forensics.jfr=off,forensics.state=off,forensics.recipients="
                + recipient(jdk, tmp);
        try (ForkedJvm app = ForkedJvm.on(jdk).jvmOption("-javaagent:" + exporter + "=127.0.0.1:" + port + ":" + config)
                .agent("dir=" + data + ",on-exit=false,max-age=1h" + forensics).classPath(CLASS_PATH)
                .main(ImageApp.class, "100000000").start()) {
            app.awaitLineContaining("tick 3 ", TIMEOUT);
            double pause;
            long lastSuccess;
            try (Jmx jmx = Jmx.connect(app.pid())) {
                jmx.await(CHECKPOINTS, TIMEOUT);
                jmx.await(FORENSICS, TIMEOUT);
                jmx.invoke(CHECKPOINTS, "checkpoint", "ops");
                jmx.invoke(CHECKPOINTS, "checkpoint", "ops");
                try (Unwritable ignored = Unwritable.make(data.resolve("packs"))) {
                    assertThrows(RuntimeMBeanException.class, () -> jmx.invoke(CHECKPOINTS, "checkpoint", "ops"));
                }
                pause = jmx.decimal(CHECKPOINTS, "LastPauseMillis");
                lastSuccess = jmx.number(CHECKPOINTS, "LastSuccessEpochMillis");
            }
            Map<String, Double> metrics = scrape(port);
            long scraped = System.currentTimeMillis();
            assertEquals(3.0, metrics.get("io_stasis_Checkpoints_Attempts"), metrics.toString());
            assertEquals(2.0, metrics.get("io_stasis_Checkpoints_Successes"));
            assertEquals(1.0, metrics.get("io_stasis_Checkpoints_Failures"));
            assertEquals(0.0, metrics.get("io_stasis_Checkpoints_Retries"));
            assertEquals(pause, metrics.get("io_stasis_Checkpoints_LastPauseMillis"));
            assertTrue(pause > 0, metrics.toString());
            assertEquals((double) lastSuccess, metrics.get("io_stasis_Checkpoints_LastSuccessEpochMillis"));
            double age = metrics.get("io_stasis_Checkpoints_LastSuccessAgeMillis");
            assertTrue(age >= 0 && age <= scraped - lastSuccess, age + " " + metrics);
            assertTrue(metrics.get("io_stasis_Checkpoints_LastFailureEpochMillis")
                    > metrics.get("io_stasis_Checkpoints_LastSuccessEpochMillis"), "the failing-checkpoint rule's"
                    + " condition holds: " + metrics);
            assertEquals(0.0, metrics.get("io_stasis_Checkpoints_Stale"));
            assertEquals(3_600_000.0, metrics.get("io_stasis_Checkpoints_MaxAgeMillis"));
            assertEquals(0.0, metrics.get("io_stasis_Restore_RootsRestored"));
            assertEquals(0.0, metrics.get("io_stasis_Forensics_BundlesWritten"), metrics.toString());

            Set<String> inRules = new TreeSet<>();
            Matcher m = Pattern.compile("io_stasis_[A-Za-z]+_[A-Za-z]+")
                    .matcher(Files.readString(Path.of("..", "docs", "prometheus-alerts.yml")));
            while (m.find()) {
                inRules.add(m.group());
            }
            assertFalse(inRules.isEmpty());
            for (String name : inRules) {
                assertTrue(metrics.containsKey(name),
                        "docs/prometheus-alerts.yml uses " + name + ", which the exporter does not show: " + metrics.keySet());
            }
        }
    }

    /** A forensics recipient (age1...), from {@code keygen} as an operator makes one. */
    private static String recipient(Jdk jdk, Path tmp) throws Exception {
        Path key = tmp.resolve("key.txt");
        try (ForkedJvm cli = ForkedJvm.on(jdk).jar(ForkedJvm.agentJar(), "keygen", "-o", key.toString()).start()) {
            assertEquals(0, cli.awaitExit(TIMEOUT), cli.output());
        }
        return Files.readAllLines(key).stream().filter(l -> l.startsWith("# public key: "))
                .map(l -> l.substring("# public key: ".length())).findFirst().orElseThrow();
    }

    private static ForkedJvm ticking(Jdk jdk, String agentOptions) {
        return ForkedJvm.on(jdk).agent(agentOptions).classPath(CLASS_PATH).main(ImageApp.class, "100000000").start();
    }

    private static void assertCounts(Map<String, Object> c, long attempts, long successes, long failures, long retries) {
        assertEquals(List.of(attempts, successes, failures, retries),
                List.of(c.get("Attempts"), c.get("Successes"), c.get("Failures"), c.get("Retries")),
                "Attempts, Successes, Failures, Retries: " + c);
    }

    /** The snapshot's roots, serialized, as {@code inspect --json} reads them from the store. */
    private static long serializedBytes(Jdk jdk, Path data, String id) throws Exception {
        try (ForkedJvm cli = ForkedJvm.on(jdk).jar(ForkedJvm.agentJar(), "inspect", "--json", "--dir", data.toString(), id)
                .start()) {
            assertEquals(0, cli.awaitExit(TIMEOUT), cli.output());
            long total = 0;
            for (JsonNode root : JSON.readTree(cli.output()).get("roots")) {
                total += root.get("bytes").asLong();
            }
            return total;
        }
    }

    private static long size(Path file) throws IOException {
        return Files.exists(file) ? Files.size(file) : 0;
    }

    /** The regular files of the store's directory, manifests/ and packs/. */
    private static long storeFiles(Path data) throws IOException {
        long total = 0;
        for (Path dir : List.of(data, data.resolve("manifests"), data.resolve("packs"))) {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.filter(f -> Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)).toList()) {
                    total += Files.size(f);
                }
            }
        }
        return total;
    }

    private record Status(int exit, String text) {
    }

    private static Status status(Jdk jdk, long pid, String... options) throws Exception {
        String[] args = Stream.concat(Stream.of("status", Long.toString(pid)), Stream.of(options)).toArray(String[]::new);
        try (ForkedJvm cli = ForkedJvm.on(jdk).jar(ForkedJvm.agentJar(), args).start()) {
            int exit = cli.awaitExit(TIMEOUT);
            return new Status(exit, cli.output());
        }
    }

    private static JsonNode statusJson(Jdk jdk, long pid, int expectedExit) throws Exception {
        Status s = status(jdk, pid, "--json");
        assertEquals(expectedExit, s.exit, s.text);
        return JSON.readTree(s.text);
    }

    /** The exporter's text format: {@code name value} lines (ours carry no labels), once it answers. */
    private static Map<String, Double> scrape(int port) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .timeout(Duration.ofSeconds(30)).build();
        String body = http.send(request, HttpResponse.BodyHandlers.ofString()).body();
        Map<String, Double> metrics = new HashMap<>();
        for (String line : body.lines().toList()) {
            if (line.startsWith("io_stasis_")) {
                String[] parts = line.split(" ");
                metrics.put(parts[0], Double.parseDouble(parts[1]));
            }
        }
        return metrics;
    }
}
