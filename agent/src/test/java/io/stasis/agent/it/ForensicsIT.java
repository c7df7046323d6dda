package io.stasis.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.esotericsoftware.kryo.Kryo;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stasis.agent.it.apps.ForensicsApp;
import io.stasis.agent.testing.Command;
import io.stasis.agent.testing.AgentLog;
import io.stasis.agent.testing.ForkedJvm;
import io.stasis.agent.testing.Jdk;
import io.stasis.agent.testing.Jdks;
import io.stasis.agent.testing.Jmx;
import io.stasis.agent.testing.Plaintext;
import io.stasis.agent.testing.Required;
import io.stasis.api.Stasis;
import io.stasis.kryo.AllowedClasses;
import io.stasis.kryo.SnapshotKryo;
import io.stasis.kryo.ValueGraph;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Forensics in a second JVM with the real agent jar, on every required JDK: each trigger produces
 * one bundle, the stock {@code age} tool decrypts it, its parts open with everyday tools, and a
 * canary secret never reaches the disk in plaintext.
 */
class ForensicsIT {

    private static final String CLASS_PATH = ForkedJvm.classPathOf(ForensicsApp.class, Stasis.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FORENSICS = "io.stasis:type=Forensics";

    private static Path age;

    @BeforeAll
    static void findAge() {
        age = Stream.of(System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator))
                .map(p -> Path.of(p, "age")).filter(Files::isExecutable).findFirst().orElse(null);
        Required.component(age != null,
                "the stock 'age' tool is not installed (Debian package 'age'); forensics tests need it");
    }

    // ------------------------------------------------------------------ triggers

    @ParameterizedTest
    @MethodSource("io.stasis.agent.testing.Jdks#all")
    void aDeadlockProducesOneBundleNamingTheThreadsAndLocks(Jdk jdk, @TempDir Path tmp) throws Exception {
        Setup s = new Setup(jdk, tmp);
        try (App app = s.start("deadlock", "forensics.deadlock-check=300ms")) {
            app.awaitLine("deadlocked");
            app.awaitLine("forensics: deadlock captured in");
            Thread.sleep(1500); // several more checks: the same deadlock is not captured again
            Path bundle = s.onlyBundle();
            try (Jmx jmx = Jmx.connect(app.pid())) {
                // The counters an operator alerts on, through a real JMX connection.
                assertEquals(1, jmx.number(FORENSICS, "BundlesWritten"));
                assertTrue(jmx.number(FORENSICS, "BundlesDroppedByBudget") >= 1, "the checks after the first found the"
                        + " same deadlock within forensics.window: " + jmx.all(FORENSICS));
                assertEquals(0, jmx.number(FORENSICS, "BundlesDeletedByDiskBudget"));
                long last = jmx.number(FORENSICS, "LastBundleEpochMillis");
                assertTrue(last >= s.startMillis && last <= System.currentTimeMillis(), jmx.all(FORENSICS).toString());
                assertEquals(Files.getLastModifiedTime(bundle).toMillis(), last, 2000);
            }
            Map<String, byte[]> zip = s.decryptWithAge(bundle);
            String threads = text(zip, "threads.txt");
            for (String name : List.of("monitor-deadlock-A", "monitor-deadlock-B", "lock-deadlock-C", "lock-deadlock-D")) {
                assertTrue(threads.contains("\"" + name + "\""), name + " in\n" + threads);
            }
            assertTrue(threads.contains("Found 4 deadlocked threads"), threads);
            assertTrue(threads.contains("waiting to lock <0x") && threads.contains("(a java.lang.Object)"), threads);
            assertTrue(threads.contains("ReentrantLock$NonfairSync") && threads.contains("Locked ownable synchronizers"), threads);
            assertTrue(threads.contains("owned by \"monitor-deadlock-B\""), threads);
            JsonNode json = JSON.readTree(zip.get("threads.json"));
            assertEquals(4, json.get("deadlocked").size());
            assertEquals("summary.txt", zip.keySet().iterator().next(), "the summary comes first: " + zip.keySet());
            String summary = text(zip, "summary.txt");
            assertTrue(summary.startsWith("Stasis incident: deadlock\nReason:  deadlocked threads: "), summary);
            assertTrue(summary.contains("Deadlocked threads (4):"), summary);
            for (String name : List.of("monitor-deadlock-A", "monitor-deadlock-B", "lock-deadlock-C", "lock-deadlock-D")) {
                assertTrue(summary.contains("\n  \"" + name + "\" #"), name + " in\n" + summary);
            }
            assertTrue(summary.contains("waits for <0x") && summary.contains("held by \"monitor-deadlock-B\""), summary);
            assertTrue(summary.contains("holds <0x") && summary.contains("(a java.lang.Object)")
                    && summary.contains("ReentrantLock$NonfairSync"), summary);
            assertTrue(summary.contains("    at "), "top frames:\n" + summary);
            assertTrue(summary.contains("Where to look next:") && summary.contains("threads.txt")
                    && summary.contains("recording.jfr") && summary.contains("manifest.json"), summary);
            JsonNode manifest = s.checkManifest(zip, "deadlock");
            assertTrue(manifest.get("reason").asText().contains("lock-deadlock-C"), manifest.toString());
            s.checkJfrOpens(zip);
            s.checkStateDecodes(zip);
            s.checkCanary(zip);
        }
    }

    @ParameterizedTest
    @MethodSource("io.stasis.agent.testing.Jdks#all")
    void anUncaughtExceptionProducesOneBundleBeforeTheJvmExits(Jdk jdk, @TempDir Path tmp) throws Exception {
        Setup s = new Setup(jdk, tmp);
        try (App app = s.start("uncaught")) {
            assertEquals(1, app.awaitExit(), app.output());
            assertTrue(app.output().contains("Exception in thread \"main\" java.lang.IllegalStateException: the application failed"),
                    "the exception is still printed as the JVM would:\n" + app.output());
            assertTrue(app.output().contains("forensics: uncaught-exception captured in"), app.output());
            Map<String, byte[]> zip = s.decryptWithAge(s.onlyBundle());
            s.checkManifest(zip, "uncaught-exception");
            assertTrue(text(zip, "exception.txt").contains("java.lang.IllegalStateException: the application failed"));
            assertTrue(text(zip, "exception.txt").contains("at io.stasis.agent.it.apps.ForensicsApp.main"));
            s.checkJfrOpens(zip);
            s.checkStateDecodes(zip);
            s.checkCanary(zip);
        }
    }

    @ParameterizedTest
    @MethodSource("io.stasis.agent.testing.Jdks#all")
    void memoryPressureProducesOneBundle(Jdk jdk, @TempDir Path tmp) throws Exception {
        Setup s = new Setup(jdk, tmp);
        s.jvmOptions.add("-Xmx128m");
        try (App app = s.start("memory", "forensics.memory-threshold=50")) {
            app.awaitLine("forensics: memory-pressure captured in");
            Map<String, byte[]> zip = s.decryptWithAge(s.onlyBundle());
            JsonNode manifest = s.checkManifest(zip, "memory-pressure");
            assertTrue(manifest.get("reason").asText().contains("after a collection (threshold 50%)"), manifest.toString());
            JsonNode memory = JSON.readTree(zip.get("memory.json"));
            assertTrue(memory.get("pools").size() > 0 && memory.get("collectors").size() > 0, memory.toString());
            assertTrue(text(zip, "class-histogram.txt").contains("[B"), "byte arrays in the histogram");
            s.checkCanary(zip);
        }
    }

    @ParameterizedTest
    @MethodSource("io.stasis.agent.testing.Jdks#all")
    void aLongGcPauseProducesOneBundle(Jdk jdk, @TempDir Path tmp) throws Exception {
        Setup s = new Setup(jdk, tmp);
        try (App app = s.start("gc", "forensics.gc-pause=1ms", "forensics.jfr=off")) {
            app.awaitLine("forensics: gc-pause captured in");
            Thread.sleep(1000); // more collections of the same collector: not captured again
            Map<String, byte[]> zip = s.decryptWithAge(s.onlyBundle());
            JsonNode manifest = s.checkManifest(zip, "gc-pause");
            assertTrue(manifest.get("reason").asText().contains("bound 1 ms"), manifest.toString());
            s.checkCanary(zip);
        }
    }

    @ParameterizedTest
    @MethodSource("io.stasis.agent.testing.Jdks#all")
    void theApplicationCanRequestABundleThroughTheFacade(Jdk jdk, @TempDir Path tmp) throws Exception {
        Setup s = new Setup(jdk, tmp);
        try (App app = s.start("facade")) {
            String line = app.awaitLine("facade bundle: ");
            Path bundle = s.onlyBundle();
            assertTrue(line.endsWith(bundle.getFileName().toString()), line + " names " + bundle);
            JsonNode manifest = s.checkManifest(s.decryptWithAge(bundle), "manual");
            assertTrue(manifest.get("reason").asText().contains("requested by the application"), manifest.toString());
        }
    }

    /** The incident is in a JFR recording too: its trigger, reason, outcome and bundle. */
    @ParameterizedTest
    @MethodSource("io.stasis.agent.testing.Jdks#all")
    void anIncidentIsAJfrEvent(Jdk jdk, @TempDir Path tmp) throws Exception {
        Setup s = new Setup(jdk, tmp);
        Path recording = tmp.resolve("incident.jfr");
        s.jvmOptions.add(JfrEventsIT.recordingOption(recording));
        try (App app = s.start("facade")) {
            app.awaitLine("facade bundle: ");
            app.process.toHandle().destroy(); // SIGTERM: the recording is dumped on exit
            app.awaitExit();
        }
        List<JsonNode> incidents = JfrEventsIT.events(jdk, recording).get("io.stasis.Incident");
        assertEquals(1, incidents.size(), String.valueOf(incidents));
        JsonNode incident = incidents.get(0);
        assertEquals("manual", incident.get("trigger").asText());
        assertTrue(incident.get("reason").asText().contains("requested by the application"), incident.toString());
        assertEquals("captured", incident.get("outcome").asText());
        assertEquals(s.onlyBundle().getFileName().toString(), incident.get("bundle").asText());
        assertEquals(Files.size(s.onlyBundle()), incident.get("bytes").asLong());
        assertTrue(Duration.parse(incident.get("duration").asText()).toNanos() > 0, incident.toString());
    }

    @ParameterizedTest
    @MethodSource("io.stasis.agent.testing.Jdks#all")
    void aUnitOfWorkSlowerThanItsBoundProducesOneBundle(Jdk jdk, @TempDir Path tmp) throws Exception {
        Setup s = new Setup(jdk, tmp);
        try (App app = s.start("slow-unit", "forensics.slow-unit=1s", "forensics.state-timeout=100ms")) {
            app.awaitLine("forensics: slow-unit captured in");
            app.awaitLine("slow unit done");
            Map<String, byte[]> zip = s.decryptWithAge(s.onlyBundle());
            JsonNode manifest = s.checkManifest(zip, "slow-unit");
            assertTrue(manifest.get("reason").asText().contains("thread main has been inside one unit of work for"),
                    manifest.toString());
            assertTrue(text(zip, "threads.txt").contains("ForensicsApp.slowUnit"), "the slow unit's stack is in the dump");
        }
    }

    /**
     * An OutOfMemoryError with the heap still full: the reserve makes room, the JVM's own heap dump
     * (forensics.heap-dump-on-oom) goes to the private directory and ends up encrypted in the bundle, then is removed.
     */
    @ParameterizedTest
    @MethodSource("io.stasis.agent.testing.Jdks#all")
    void anOutOfMemoryErrorProducesABundleWithTheJvmsHeapDump(Jdk jdk, @TempDir Path tmp) throws Exception {
        Setup s = new Setup(jdk, tmp);
        s.jvmOptions.add("-Xmx64m");
        try (App app = s.start("oom", "forensics.heap-dump-on-oom=on", "forensics.jfr=off", "forensics.on-memory=off",
                "forensics.histogram=off")) {
            assertEquals(1, app.awaitExit(), app.output());
            assertTrue(app.output().contains("forensics: out-of-memory captured in"), app.output());
            assertFalse(app.output().contains("Exception in thread \"stasis-forensics\""),
                    "the forensics thread outlives the full heap: " + app.output());
            Map<String, byte[]> zip = s.decryptWithAge(s.onlyBundle());
            s.checkManifest(zip, "out-of-memory");
            assertFalse(zip.containsKey("class-histogram.txt"), "forensics.histogram=off");
            assertTrue(text(zip, "exception.txt").contains("java.lang.OutOfMemoryError"));
            assertTrue(zip.containsKey("heap-oom.hprof"), zip.keySet().toString());
            assertTrue(new String(zip.get("heap-oom.hprof"), 0, 18, StandardCharsets.US_ASCII).startsWith("JAVA PROFILE"),
                    "an hprof file");
            try (Stream<Path> files = Files.walk(s.dir)) {
                assertEquals(List.of(), files.filter(f -> f.toString().endsWith(".hprof")).toList(), "no heap dump left behind");
            }
            s.checkCanary(zip);
        }
    }

    @ParameterizedTest
    @MethodSource("io.stasis.agent.testing.Jdks#all")
    void aManualRequestProducesOneBundleAndDamagedBundlesFailToDecrypt(Jdk jdk, @TempDir Path tmp) throws Exception {
        Setup s = new Setup(jdk, tmp);
        Path bundle;
        try (App app = s.start("wait")) {
            app.awaitLine("forensics active");
            Set<String> listening = listeningSockets(app.pid());
            try (ForkedJvm cli = ForkedJvm.on(jdk).jar(ForkedJvm.agentJar(), "incident", Long.toString(app.pid()),
                    "--reason", "operator asked").start()) {
                assertEquals(0, cli.awaitExit(TIMEOUT), cli.output());
                bundle = s.onlyBundle();
                assertTrue(cli.output().contains(bundle.toAbsolutePath().toString()), cli.output());
            }
            assertEquals(listening, listeningSockets(app.pid()), "incident PID left a listening socket in the JVM");
            Map<String, byte[]> zip = s.decryptWithAge(bundle);
            JsonNode manifest = s.checkManifest(zip, "manual");
            assertEquals("operator asked", manifest.get("reason").asText());
            s.checkJfrOpens(zip);
            s.checkStateDecodes(zip);
            s.checkCanary(zip);
        }

        // decrypt: the intact bundle decrypts to the same zip age gives; damaged ones fail clearly and leave nothing.
        Path out = tmp.resolve("out.zip");
        try (ForkedJvm cli = ForkedJvm.on(jdk).jar(ForkedJvm.agentJar(), "decrypt", bundle.toString(), "-i",
                s.key.toString(), "-o", out.toString()).start()) {
            assertEquals(0, cli.awaitExit(TIMEOUT), cli.output());
        }
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(out)));
        assertTrue(unzip(Files.readAllBytes(out)).containsKey("manifest.json"));
        // decrypt --render: the summary, then the state's values, read without the application's classes.
        try (ForkedJvm cli = ForkedJvm.on(jdk).jar(ForkedJvm.agentJar(), "decrypt", bundle.toString(), "-i",
                s.key.toString(), "-o", tmp.resolve("rendered.zip").toString(), "--render").start()) {
            assertEquals(0, cli.awaitExit(TIMEOUT), cli.output());
            String rendered = cli.output();
            assertTrue(rendered.contains("Stasis incident: manual\nReason:  operator asked"), rendered);
            assertTrue(rendered.contains("static " + ForensicsApp.class.getName()), rendered);
            assertTrue(rendered.contains("apiSecret = \"state-" + s.canary + "\""), rendered);
            assertTrue(rendered.contains("counters = HashMap(1) {\"orders\": 42}"), rendered);
            assertFalse(rendered.contains("\r") || rendered.contains("MiB ("), "no progress when not on a terminal:\n" + rendered);
        }
        byte[] whole = Files.readAllBytes(bundle);
        byte[] flipped = whole.clone();
        flipped[whole.length / 2] ^= 0x40;
        Map<String, byte[]> damaged = new LinkedHashMap<>();
        damaged.put("truncated", java.util.Arrays.copyOf(whole, whole.length - 1000));
        damaged.put("truncated-at-chunk", java.util.Arrays.copyOf(whole, whole.length - (whole.length - 200) % 65552));
        damaged.put("corrupted", flipped);
        for (Map.Entry<String, byte[]> d : damaged.entrySet()) {
            Path file = tmp.resolve(d.getKey() + ".age");
            Files.write(file, d.getValue());
            Path target = tmp.resolve(d.getKey() + ".zip");
            try (ForkedJvm cli = ForkedJvm.on(jdk).jar(ForkedJvm.agentJar(), "decrypt", file.toString(), "-i",
                    s.key.toString(), "-o", target.toString()).start()) {
                assertEquals(1, cli.awaitExit(TIMEOUT), cli.output());
                assertTrue(cli.output().contains("cannot be decrypted: corrupted or truncated"), d.getKey() + ":\n" + cli.output());
            }
            assertFalse(Files.exists(target), "no output for " + d.getKey());
            assertFalse(Files.exists(tmp.resolve(d.getKey() + ".zip.partial")), "no partial output for " + d.getKey());
            Command.Result stock = Command.run(age.toString(), "-d", "-i", s.key.toString(), file.toString());
            assertEquals(1, stock.exitCode(), "age also refuses " + d.getKey());
        }
    }

    /** The JFR events that copy command lines, agents' options, the environment or properties. */
    private static final List<String> SECRET_EVENTS = List.of("jdk.ProcessStart", "jdk.JavaAgent", "jdk.NativeAgent",
            "jdk.InitialEnvironmentVariable", "jdk.InitialSystemProperty", "jdk.SecurityPropertyModification",
            "jdk.JVMInformation", "jdk.SystemProcess", "jdk.InitialSecurityProperty", "jdk.StringFlag");

    @ParameterizedTest
    @MethodSource("io.stasis.agent.testing.Jdks#all")
    void secretBearingJfrEventsNeverReachABundle(Jdk jdk, @TempDir Path tmp) throws Exception {
        Setup s = new Setup(jdk, tmp);
        s.jvmOptions.add("-XX:OnOutOfMemoryError=echo " + s.canary);
        try (App app = s.start("jfr-secrets")) {
            app.awaitLine("facade bundle: ");
            Map<String, byte[]> zip = s.decryptWithAge(s.onlyBundle());
            s.checkManifest(zip, "manual");
            s.checkJfrOpens(zip);
            s.checkCanary(zip);
            assertTrue(text(zip, "vm-flags.txt").contains("-XX:OnOutOfMemoryError=<redacted>"), text(zip, "vm-flags.txt"));
        }
    }

    /**
     * The application records itself (at start-up and in code) with every secret-bearing event on:
     * its chunks are shared with ours, so the bundle gets a filtered recording (JDK 19 and later) or
     * none, with the reason in the manifest (JDK 17, which cannot filter one).
     */
    @ParameterizedTest
    @MethodSource("io.stasis.agent.testing.Jdks#all")
    void theApplicationsOwnRecordingNeverReachesABundle(Jdk jdk, @TempDir Path tmp) throws Exception {
        Setup s = new Setup(jdk, tmp);
        s.jvmOptions.add("-XX:StartFlightRecording");
        s.jvmOptions.add("-XX:OnOutOfMemoryError=echo " + s.canary);
        s.jvmOptions.add("-agentlib:jdwp=transport=dt_socket,server=y,suspend=n,address=127.0.0.1:0");
        try (App app = s.start(List.of("jfr-secrets", String.join(",", SECRET_EVENTS)))) {
            app.awaitLine("facade bundle: ");
            Map<String, byte[]> zip = s.decryptWithAge(s.onlyBundle());
            JsonNode manifest = s.checkManifest(zip, "manual");
            if (jdk.feature() >= 19) {
                s.checkJfrOpens(zip);
            } else {
                assertFalse(zip.containsKey("recording.jfr"), zip.keySet().toString());
                assertTrue(manifest.path("recordingLeftOut").asText().contains("cannot filter a recording"), manifest.toString());
            }
            for (Map.Entry<String, byte[]> e : zip.entrySet()) {
                if (!e.getKey().startsWith("state/")) {
                    assertFalse(Plaintext.contains(e.getValue(), s.canary), "canary in bundle part " + e.getKey());
                }
            }
            assertTrue(text(zip, "vm-flags.txt").contains("-XX:OnOutOfMemoryError=<redacted>"), text(zip, "vm-flags.txt"));
        }
    }

    @ParameterizedTest
    @MethodSource("io.stasis.agent.testing.Jdks#all")
    void withoutARecipientStartUpIsRefused(Jdk jdk, @TempDir Path tmp) throws Exception {
        Setup s = new Setup(jdk, tmp);
        s.recipients = null;
        try (App app = s.start("wait")) {
            assertEquals(1, app.awaitExit(), app.output());
            List<String> errors = AgentLog.messages(app.lines, "ERROR");
            assertEquals(1, errors.size(), app.output());
            assertTrue(errors.get(0).contains("'forensics.recipients'"), errors.get(0));
            assertFalse(app.output().contains("ready"), "the application must not run");
        }
        assertFalse(Files.exists(s.dir.resolve("forensics")), "nothing written");
    }

    /**
     * 10,000 exceptions per second for 30 seconds (it.storm.seconds), from three call sites: at most
     * forensics.rate bundles, within the disk budget, and the application's own handler still sees every one.
     */
    @ParameterizedTest
    @MethodSource("io.stasis.agent.testing.Jdks#all")
    void anExceptionStormStaysWithinTheRateLimitAndTheDiskBudget(Jdk jdk, @TempDir Path tmp) throws Exception {
        int seconds = Integer.getInteger("it.storm.seconds", 30);
        Setup s = new Setup(jdk, tmp);
        long budget = 60 * 1024; // about two bundles without JFR and state: the budget deletes some
        try (App app = s.start(List.of("storm", "10000", Integer.toString(seconds)), "forensics.deadlock-check=500ms",
                "forensics.rate=3/1h", "forensics.disk-budget=" + budget, "forensics.jfr=off", "forensics.state=off")) {
            String result = app.awaitLine("storm reported=");
            assertEquals(0, app.awaitExit(), app.output());
            long reported = Long.parseLong(result.replaceAll(".*reported=(\\d+).*", "$1"));
            long appHandled = Long.parseLong(result.replaceAll(".*app-handled=(\\d+).*", "$1"));
            assertTrue(reported >= 10_000L * seconds * 9 / 10, result);
            assertEquals(reported, appHandled, "the application's handler stays in the chain: " + result);
            long captured = app.lines.stream().filter(l -> l.contains("forensics: uncaught-exception captured in")).count();
            assertEquals(3, captured, "one per fingerprint, three fingerprints, rate 3/1h:\n" + tail(app));
            List<Path> bundles = s.bundles();
            long bytes = 0;
            for (Path b : bundles) {
                bytes += Files.size(b);
            }
            long deleted = app.lines.stream().filter(l -> l.contains("to stay within forensics.disk-budget")).count();
            assertTrue(bundles.size() >= 1, bundles.toString());
            assertEquals(captured, bundles.size() + deleted, "every bundle written is kept or deleted for the budget");
            assertTrue(bytes <= budget || bundles.size() == 1, bytes + " bytes in " + bundles);
            System.out.println("[storm " + jdk + "] " + result + "; bundles kept " + bundles.size() + ", " + bytes + " bytes; "
                    + deleted + " deleted for the disk budget");
            s.checkCanary(s.decryptWithAge(bundles.get(bundles.size() - 1)));
        }
    }

    private static String tail(App app) {
        List<String> lines = app.lines;
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }

    // ------------------------------------------------------------------ support

    /** One test's directories, keys, canary and JVM. */
    private static final class Setup {
        final Jdk jdk;
        final Path tmp;
        final Path dir;
        final Path key;
        final String canary = "canary-" + UUID.randomUUID();
        final long startMillis = System.currentTimeMillis() - 1000;
        final List<String> jvmOptions = new ArrayList<>();
        String recipients;

        Setup(Jdk jdk, Path tmp) throws Exception {
            this.jdk = jdk;
            this.tmp = tmp;
            this.dir = tmp.resolve("data");
            this.key = tmp.resolve("key.txt");
            try (ForkedJvm cli = ForkedJvm.on(jdk).jar(ForkedJvm.agentJar(), "keygen", "-o", key.toString()).start()) {
                assertEquals(0, cli.awaitExit(TIMEOUT), cli.output());
            }
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
            recipients = Files.readAllLines(key).stream().filter(l -> l.startsWith("# public key: "))
                    .map(l -> l.substring("# public key: ".length())).findFirst().orElseThrow();
        }

        App start(String mode, String... options) throws IOException {
            return start(List.of(mode), options);
        }

        App start(List<String> args, String... options) throws IOException {
            StringBuilder agent = new StringBuilder("dir=" + dir + ",on-exit=false,forensics=on");
            if (recipients != null) {
                agent.append(",forensics.recipients=").append(recipients);
            }
            for (String o : options) {
                agent.append(',').append(o);
            }
            List<String> command = new ArrayList<>();
            command.add(jdk.java().toString());
            // The JVM's own hsperfdata file in /tmp holds its command line, -D values included: kept in memory here
            // (see the user guide: forensics and the JVM's own files).
            command.add("-XX:+PerfDisableSharedMem");
            command.add("-Dapp.canary=" + canary);
            command.addAll(jvmOptions);
            command.add("-javaagent:" + ForkedJvm.agentJar() + "=" + agent);
            command.add("-cp");
            command.add(CLASS_PATH);
            command.add(ForensicsApp.class.getName());
            command.addAll(args);
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().put("APP_DB_PASSWORD", canary);
            builder.environment().put("APP_SETTING", canary);
            return new App(builder.start(), jdk + " " + args.get(0));
        }

        List<Path> bundles() throws IOException {
            Path forensics = dir.resolve("forensics");
            try (Stream<Path> files = Files.list(forensics)) {
                return files.filter(f -> f.getFileName().toString().endsWith(".age")).sorted().toList();
            }
        }

        Path onlyBundle() throws IOException {
            List<Path> bundles = bundles();
            assertEquals(1, bundles.size(), bundles.toString());
            return bundles.get(0);
        }

        /** Decrypts with the stock age tool, as an operator would: {@code age -d -i key.txt bundle.age > bundle.zip}. */
        Map<String, byte[]> decryptWithAge(Path bundle) throws Exception {
            Path out = tmp.resolve(bundle.getFileName() + ".zip");
            Command.Result decrypted = Command.run(age.toString(), "-d", "-i", key.toString(), "-o", out.toString(),
                    bundle.toString());
            assertEquals(0, decrypted.exitCode(), "age -d: " + decrypted.output());
            Map<String, byte[]> zip = unzip(Files.readAllBytes(out));
            Files.delete(out);
            return zip;
        }

        JsonNode checkManifest(Map<String, byte[]> zip, String trigger) throws Exception {
            JsonNode manifest = JSON.readTree(zip.get("manifest.json"));
            assertEquals(trigger, manifest.get("trigger").asText(), manifest.toString());
            assertTrue(manifest.get("jvm").get("version").asText().startsWith(Integer.toString(jdk.feature())), manifest.toString());
            for (JsonNode section : manifest.get("sections")) {
                String name = section.get("name").asText();
                assertTrue(zip.containsKey(name), name);
                assertEquals(zip.get(name).length, section.get("bytes").asLong(), name);
                assertEquals(java.util.HexFormat.of().formatHex(
                        java.security.MessageDigest.getInstance("SHA-256").digest(zip.get(name))), section.get("sha256").asText(), name);
            }
            for (String part : List.of("threads.txt", "threads.json", "memory.json", "vm-flags.txt",
                    "system-properties.json", "environment.json")) {
                assertTrue(zip.containsKey(part), part + " in " + zip.keySet());
            }
            if (jdk.feature() >= 21) {
                assertTrue(zip.containsKey("threads-all.json"), zip.keySet().toString());
            }
            List<String> maskedProperties = new ArrayList<>();
            manifest.get("redacted").get("systemProperties").forEach(n -> maskedProperties.add(n.asText()));
            assertTrue(maskedProperties.contains("app.canary"), manifest.toString());
            List<String> maskedEnv = new ArrayList<>();
            manifest.get("redacted").get("environment").forEach(n -> maskedEnv.add(n.asText()));
            assertTrue(maskedEnv.contains("APP_DB_PASSWORD") && maskedEnv.contains("APP_SETTING"), manifest.toString());
            return manifest;
        }

        void checkJfrOpens(Map<String, byte[]> zip) throws Exception {
            assertTrue(zip.containsKey("recording.jfr"), zip.keySet().toString());
            Path jfr = tmp.resolve("recording-" + UUID.randomUUID() + ".jfr");
            Files.write(jfr, zip.get("recording.jfr"));
            Command.Result jfrSummary = Command.run(jdk.home().resolve("bin/jfr").toString(), "summary", jfr.toString());
            String summary = jfrSummary.output();
            assertEquals(0, jfrSummary.exitCode(), summary);
            assertTrue(summary.contains("jdk.ThreadStart") || summary.contains("jdk.CPULoad"), summary);
            for (String event : SECRET_EVENTS) {
                assertFalse(java.util.regex.Pattern.compile("(?m)^\\s*" + java.util.regex.Pattern.quote(event) + "\\s+[1-9]")
                        .matcher(summary).find(), event + " recorded:\n" + summary);
            }
            Files.delete(jfr);
        }

        /** The state part decodes with the agent's own snapshot reader into the application's values. */
        void checkStateDecodes(Map<String, byte[]> zip) throws Exception {
            JsonNode index = JSON.readTree(zip.get("state/index.json"));
            Kryo kryo = SnapshotKryo.create(ForensicsApp.class.getClassLoader(), AllowedClasses.jdk());
            boolean found = false;
            for (JsonNode root : index.get("roots")) {
                if (root.get("owner").asText().equals(ForensicsApp.class.getName())) {
                    List<String> fields = new ArrayList<>();
                    root.get("fields").forEach(f -> fields.add(f.asText()));
                    List<Object> values = ValueGraph.read(kryo, zip.get(root.get("file").asText()), fields.size());
                    assertEquals("state-" + canary, values.get(fields.indexOf("apiSecret")));
                    assertEquals(Map.of("orders", 42L), values.get(fields.indexOf("counters")));
                    found = true;
                }
            }
            assertTrue(found, index.toString());
        }

        /**
         * The canary is masked where the rules say (system properties, JVM arguments, environment) and
         * appears in no file the JVM wrote in plaintext: the data directory, the forensics directory and
         * everything in /tmp modified since the test started.
         */
        void checkCanary(Map<String, byte[]> zip) throws Exception {
            for (Map.Entry<String, byte[]> e : zip.entrySet()) {
                // The state and heap dumps are the application's memory as it is: not redacted, only encrypted.
                if (!e.getKey().startsWith("state/") && !e.getKey().endsWith(".hprof")) {
                    assertFalse(Plaintext.contains(e.getValue(), canary), "canary in bundle part " + e.getKey());
                }
            }
            assertTrue(text(zip, "system-properties.json").contains("\"app.canary\" : \"<redacted>\""));
            assertTrue(text(zip, "environment.json").contains("\"APP_DB_PASSWORD\" : \"<redacted>\""));
            assertTrue(text(zip, "vm-flags.txt").contains("-Dapp.canary=<redacted>"), text(zip, "vm-flags.txt"));
            List<Path> leaks = new ArrayList<>();
            int searched = 0;
            for (Path root : List.of(dir, Path.of(System.getProperty("java.io.tmpdir")), Path.of("/tmp"))) {
                if (!Files.isDirectory(root)) {
                    continue;
                }
                List<Path> files = new ArrayList<>();
                Files.walkFileTree(root, new java.nio.file.SimpleFileVisitor<>() {
                    @Override
                    public java.nio.file.FileVisitResult visitFile(Path file, java.nio.file.attribute.BasicFileAttributes attrs) {
                        if (attrs.isRegularFile() && attrs.lastModifiedTime().toMillis() >= startMillis && attrs.size() < 512L << 20) {
                            files.add(file);
                        }
                        return java.nio.file.FileVisitResult.CONTINUE;
                    }

                    @Override
                    public java.nio.file.FileVisitResult visitFileFailed(Path file, IOException exc) {
                        return java.nio.file.FileVisitResult.CONTINUE;
                    }
                });
                for (Path f : files) {
                    if (f.getFileName().toString().endsWith(".zip") && f.startsWith(tmp)) {
                        continue; // this test's own decrypted output
                    }
                    try {
                        searched++;
                        if (Plaintext.contains(Files.readAllBytes(f), canary)) {
                            leaks.add(f);
                        }
                    } catch (IOException e) {
                        // gone, or not readable as a file
                    }
                }
            }
            assertEquals(List.of(), leaks, "files holding the canary in plaintext (searched " + searched + ")");
        }
    }

    /** The inodes of the TCP sockets in state LISTEN that process {@code pid} holds. */
    static Set<String> listeningSockets(long pid) throws IOException {
        Set<String> listening = new HashSet<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            if (Files.exists(Path.of(table))) {
                List<String> rows = Files.readAllLines(Path.of(table));
                for (String row : rows.subList(1, rows.size())) {
                    String[] fields = row.strip().split("\\s+");
                    if (fields[3].equals("0A")) { // sl local remote st ... uid timeout inode
                        listening.add(fields[9]);
                    }
                }
            }
        }
        Set<String> held = new HashSet<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : fds) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[") && listening.contains(target.substring(8, target.length() - 1))) {
                        held.add(target);
                    }
                } catch (IOException e) {
                    // closed meanwhile
                }
            }
        }
        return held;
    }

    static Map<String, byte[]> unzip(byte[] zip) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                entries.put(e.getName(), in.readAllBytes());
            }
        }
        return entries;
    }

    static String text(Map<String, byte[]> zip, String name) {
        assertTrue(zip.containsKey(name), name + " in " + zip.keySet());
        return new String(zip.get(name), StandardCharsets.UTF_8);
    }

    /** A forked JVM with an environment of its own (ForkedJvm inherits ours). */
    private static final class App implements AutoCloseable {
        final Process process;
        final List<String> lines = new CopyOnWriteArrayList<>();
        final Thread pump;

        App(Process process, String label) {
            this.process = process;
            this.pump = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        lines.add(line);
                        if (Boolean.getBoolean("it.echo")) {
                            System.out.println("  [" + label + "] " + line);
                        }
                    }
                } catch (IOException e) {
                    // gone
                }
            });
            pump.setDaemon(true);
            pump.start();
        }

        long pid() {
            return process.pid();
        }

        String output() {
            return String.join("\n", lines);
        }

        String awaitLine(String text) throws InterruptedException {
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            int checked = 0;
            while (System.nanoTime() < deadline) {
                List<String> now = List.copyOf(lines);
                for (; checked < now.size(); checked++) {
                    if (now.get(checked).contains(text)) {
                        return now.get(checked);
                    }
                }
                if (!process.isAlive()) {
                    pump.join(5000);
                    if (lines.size() == checked) {
                        throw new AssertionError("exited (" + process.exitValue() + ") before '" + text + "':\n" + output());
                    }
                    continue;
                }
                Thread.sleep(10);
            }
            throw new AssertionError("'" + text + "' did not appear within " + TIMEOUT + ":\n" + output());
        }

        int awaitExit() throws InterruptedException {
            if (!process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("did not exit:\n" + output());
            }
            pump.join(10_000);
            return process.exitValue();
        }

        @Override
        public void close() throws InterruptedException {
            if (process.isAlive()) {
                process.destroyForcibly();
                process.waitFor();
            }
        }
    }
}
