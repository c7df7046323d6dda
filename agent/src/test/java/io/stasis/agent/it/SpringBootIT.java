package io.stasis.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.stasis.agent.testing.AgentLog;
import io.stasis.agent.testing.ForkedJvm;
import io.stasis.agent.testing.Jdk;
import io.stasis.api.Stasis;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A Spring Boot executable jar (application classes under {@code BOOT-INF/classes}, {@code stasis-api}
 * nested under {@code BOOT-INF/lib}, everything loaded by Spring Boot's {@code LaunchedClassLoader})
 * resumes after {@code kill -9} like a plain class-path application.
 *
 * <p>The application is the template project in {@code src/test/resources/spring-boot-app}, built
 * once per test class with the real Spring Boot Maven plugin (version {@code spring-boot.version}
 * of the parent pom) by the Maven running this build, against the local repository it uses.
 */
class SpringBootIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(5);
    private static final String LAUNCHED_CLASS_LOADER = "org.springframework.boot.loader.launch.LaunchedClassLoader";
    private static final String APP = "com.example.bootapp.CounterApp";

    private static final Pattern COMMITTED = Pattern.compile("committed (\\d+) progress=(\\d+)");
    private static final Pattern RESTORE = Pattern.compile("restore source=(\\w+) sequence=(-?\\d+)");
    private static final Pattern START = Pattern.compile("start progress=(\\d+) even=(\\d+) odd=(\\d+) milestone=(.*)");

    @TempDir
    static Path work;

    private static Path appJar;

    @BeforeAll
    static void buildTheApplicationWithTheSpringBootMavenPlugin() throws Exception {
        Path project = work.resolve("spring-boot-app");
        copyTree(template(), project);

        List<String> command = new ArrayList<>();
        command.add(mavenExecutable());
        command.addAll(List.of("-B", "-ntp", "-f", project.resolve("pom.xml").toString()));
        String localRepository = System.getProperty("it.mavenRepoLocal");
        if (localRepository != null && !localRepository.isBlank()) {
            command.add("-Dmaven.repo.local=" + localRepository); // reuse what this build already has
        }
        Path apiJar = apiJar();
        command.add("-Dstasis.api.jar=" + apiJar);
        command.add("-Dspring-boot.version=" + required("it.springBootVersion"));
        command.add("-Dcompiler-plugin.version=" + required("it.compilerPluginVersion"));
        command.add("-Djar-plugin.version=" + required("it.jarPluginVersion"));
        command.add("-Dsurefire.version=" + required("it.surefireVersion"));
        command.add("package");

        Path log = work.resolve("build.log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(project.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        long start = System.nanoTime();
        Process build = builder.start();
        if (!build.waitFor(BUILD_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            build.destroyForcibly();
            fail("the Spring Boot application's build did not finish within " + BUILD_TIMEOUT + ":\n" + Files.readString(log));
        }
        assertEquals(0, build.exitValue(), "the Spring Boot application's build failed: " + command + "\n" + Files.readString(log));
        System.out.printf("built the Spring Boot application with %s in %.1f s%n", apiJar, (System.nanoTime() - start) / 1e9);

        appJar = project.resolve("target/spring-boot-app.jar");
        try (JarFile jar = new JarFile(appJar.toFile())) {
            Attributes manifest = jar.getManifest().getMainAttributes();
            assertEquals("org.springframework.boot.loader.launch.JarLauncher", manifest.getValue("Main-Class"));
            assertEquals(APP, manifest.getValue("Start-Class"));
            assertNotNull(jar.getEntry("BOOT-INF/classes/com/example/bootapp/CounterApp.class"), "application classes nested");
            assertTrue(jar.stream().anyMatch(e -> e.getName().matches("BOOT-INF/lib/stasis-api-.*\\.jar")),
                    "stasis-api nested under BOOT-INF/lib");
            assertEquals(null, jar.getEntry("com/example/bootapp/CounterApp.class"), "not on the jar's own class path");
        }
    }

    @ParameterizedTest
    @MethodSource("io.stasis.agent.testing.Jdks#all")
    void resumesAfterKill9LikeAPlainApplication(Jdk jdk, @TempDir Path dir) throws Exception {
        String options = "dir=" + dir + ",interval=200ms";

        // First run: nothing to restore; kill -9 once it has committed a few snapshots of its own.
        Map<Long, Long> progressBySequence = new HashMap<>();
        long lastSequence;
        long lastProgress;
        try (ForkedJvm first = ForkedJvm.on(jdk).agent(options).jar(appJar).start()) {
            assertLoadedBySpringBoot(first);
            assertEquals("restore source=NONE sequence=-1", first.awaitLine(l -> l.startsWith("restore source="), TIMEOUT));
            assertEquals("start progress=0 even=0 odd=0 milestone=none", first.awaitLine(l -> l.startsWith("start "), TIMEOUT));
            AtomicInteger commits = new AtomicInteger();
            first.awaitLine(l -> COMMITTED.matcher(l).matches() && commits.incrementAndGet() == 3, TIMEOUT);
            first.kill9();
            for (String line : first.lines()) {
                Matcher committed = COMMITTED.matcher(line);
                if (committed.matches()) {
                    progressBySequence.put(Long.parseLong(committed.group(1)), Long.parseLong(committed.group(2)));
                }
            }
            lastSequence = progressBySequence.keySet().stream().mapToLong(Long::longValue).max().orElseThrow();
            lastProgress = progressBySequence.get(lastSequence);
            assertTrue(lastProgress > 0, first.output());
            assertNoAgentErrors(first);
        }

        // Second run, same command line: it starts from a snapshot at least as new as the last one
        // reported committed, complete and consistent, and carries on from there.
        try (ForkedJvm second = ForkedJvm.on(jdk).agent(options).jar(appJar).start()) {
            assertLoadedBySpringBoot(second);
            Matcher restore = RESTORE.matcher(second.awaitLine(l -> l.startsWith("restore source="), TIMEOUT));
            assertTrue(restore.matches());
            assertEquals("SNAPSHOT", restore.group(1), second.output());
            long sequence = Long.parseLong(restore.group(2));
            assertTrue(sequence >= lastSequence,
                    "restored snapshot " + sequence + ", but " + lastSequence + " was committed before the kill:\n" + second.output());

            String message = second.awaitLine(l -> l.startsWith("restore message: "), TIMEOUT);
            assertTrue(message.contains("restore from snapshot ") && message.contains("3 of 3 roots restored"), message);
            Matcher start = START.matcher(second.awaitLine(l -> l.startsWith("start "), TIMEOUT));
            assertTrue(start.matches());
            List<String> restoredRoots = second.lines().stream().filter(l -> l.startsWith("restored root: "))
                    .map(l -> l.substring("restored root: ".length())).sorted().toList();
            assertEquals(List.of(APP + "$Counter[even]", APP + "$Counter[odd]", "static " + APP), restoredRoots,
                    second.output());

            long progress = Long.parseLong(start.group(1));
            long even = Long.parseLong(start.group(2));
            long odd = Long.parseLong(start.group(3));
            assertTrue(progress >= lastProgress,
                    "restored progress " + progress + ", but " + lastProgress + " was committed before the kill:\n" + second.output());
            if (progressBySequence.containsKey(sequence)) {
                assertEquals(progressBySequence.get(sequence), progress, "snapshot " + sequence + " holds exactly what it was committed with");
            }
            // The keyed instances come back with the static field, from the same consistent cut.
            assertEquals(progress / 2, even, "even counter restored with the progress it belongs to");
            assertEquals(progress - progress / 2, odd, "odd counter restored with the progress it belongs to");
            // An object of an application class (a record under BOOT-INF/classes) comes back as an
            // instance of that class as Spring Boot's loader defines it.
            assertEquals(progress < 1000 ? "none" : (progress - progress % 1000) + " loaded by " + LAUNCHED_CLASS_LOADER,
                    start.group(4), "milestone restored with the progress it belongs to");

            // And it resumes: the next snapshot it commits is further on.
            second.awaitLine(l -> {
                Matcher committed = COMMITTED.matcher(l);
                return committed.matches() && Long.parseLong(committed.group(2)) > progress;
            }, TIMEOUT);
            assertNoAgentErrors(second);
        }
    }

    private static void assertLoadedBySpringBoot(ForkedJvm app) throws InterruptedException {
        assertEquals("main class loader: " + LAUNCHED_CLASS_LOADER,
                app.awaitLine(l -> l.startsWith("main class loader: "), TIMEOUT));
        assertEquals("api class loader: " + LAUNCHED_CLASS_LOADER,
                app.awaitLine(l -> l.startsWith("api class loader: "), TIMEOUT));
    }

    private static void assertNoAgentErrors(ForkedJvm app) {
        assertTrue(app.lines().stream().noneMatch(l -> l.startsWith("checkpoint failed")), app.output());
        assertTrue(AgentLog.messages(app.lines(), "ERROR").isEmpty(), app.output());
        assertTrue(AgentLog.messages(app.lines(), "WARNING").isEmpty(), app.output());
    }

    /** The template project, as the build copied it among the test resources. */
    private static Path template() throws URISyntaxException {
        URL pom = SpringBootIT.class.getResource("/spring-boot-app/pom.xml");
        assertNotNull(pom, "spring-boot-app/pom.xml is not among the test resources");
        assertEquals("file", pom.getProtocol(), "the template must be a directory on disk: " + pom);
        return Path.of(pom.toURI()).getParent();
    }

    /**
     * The {@code stasis-api} this test was compiled against. In a reactor build before
     * {@code package} it is a directory of classes, which the application's build cannot nest as a jar.
     */
    private static Path apiJar() throws IOException {
        Path location = Path.of(ForkedJvm.locationOf(Stasis.class));
        if (Files.isRegularFile(location)) {
            return location;
        }
        Path jar = work.resolve("stasis-api.jar");
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest);
             Stream<Path> files = Files.walk(location)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                out.putNextEntry(new JarEntry(location.relativize(file).toString().replace('\\', '/')));
                Files.copy(file, out);
                out.closeEntry();
            }
        }
        return jar;
    }

    /** Maven from the build running this test ({@code maven.home}), else {@code mvn} on the PATH. */
    private static String mavenExecutable() {
        String home = System.getProperty("it.mavenHome");
        if (home == null || home.isBlank()) {
            return "mvn";
        }
        boolean windows = System.getProperty("os.name", "").startsWith("Windows");
        Path mvn = Path.of(home, "bin", windows ? "mvn.cmd" : "mvn");
        assertTrue(Files.isExecutable(mvn), "no Maven at " + mvn);
        return mvn.toString();
    }

    private static String required(String property) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank() || value.startsWith("${")) {
            fail("system property " + property + " is not set; run this test through the Maven build (mvn verify)");
        }
        return value;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path source : files.sorted().toList()) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target);
                }
            }
        }
    }
}
