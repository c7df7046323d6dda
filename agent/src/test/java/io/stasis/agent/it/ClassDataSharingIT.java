package io.stasis.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stasis.agent.it.apps.CdsApp;
import io.stasis.agent.testing.ForkedJvm;
import io.stasis.agent.testing.Jdk;
import io.stasis.agent.testing.Jdks;
import io.stasis.agent.testing.Required;
import io.stasis.api.Stasis;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.function.Predicate;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The agent leaves class-data sharing alone: an application's classes still load from its AppCDS
 * archive (and, on JDK 25, from an AOT cache trained with the agent), and the JVM prints no warning.
 * Appending to the bootstrap class path, as the agent once did, made HotSpot warn and load the
 * application's classes from their jar instead.
 */
class ClassDataSharingIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final String ADD_INSTRUMENT = "--add-modules=java.instrument";
    private static final String APP_CLASS_SOURCE = "[class,load] " + CdsApp.class.getPackageName();
    private static final String AGENT_CLASS_SOURCE = "[class,load] io.stasis.agent.";

    @TempDir
    Path dir;

    static Stream<Jdk> jdks() {
        return Jdks.all().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void applicationClassesStillComeFromTheAppCdsArchive(Jdk jdk) throws Exception {
        Path jar = applicationJar();
        Path classList = dir.resolve("classes.lst");
        Path archive = dir.resolve("app.jsa");
        // As the user guide says: an archive for use with an agent is made with the agent's module
        // (JDK 25 refuses its module graph otherwise, "Mismatched values for property jdk.module.addmods").
        run(jdk, jar, null, ADD_INSTRUMENT, "-XX:DumpLoadedClassList=" + classList);
        run(jdk, jar, null, ADD_INSTRUMENT, "-Xshare:dump", "-XX:SharedClassListFile=" + classList,
                "-XX:SharedArchiveFile=" + archive);

        List<String> without = run(jdk, jar, null, ADD_INSTRUMENT, "-XX:SharedArchiveFile=" + archive, "-Xlog:class+load");
        List<String> with = run(jdk, jar, agentOptions(), "-XX:SharedArchiveFile=" + archive, "-Xlog:class+load");

        List<String> sharedWithout = sharedApplicationClasses(without);
        assertTrue(sharedWithout.size() >= 4, "the archive holds the application's classes: " + without);
        assertEquals(sharedWithout, sharedApplicationClasses(with), String.join("\n", with));
        assertTrue(with.contains("area=13.0 agent-active=true"), String.join("\n", with));
        assertNoJvmWarning(with);
    }

    /**
     * The user guide's recipe for the agent's own classes: its jar on the class path as well, and
     * the class list taken from a run with the agent. Classes the agent's jar only appends to the
     * class path are left out of an archive ("Unsupported location"), and load from the jar,
     * verified, at every start.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void theAgentsOwnClassesComeFromAnArchiveMadeWithItsJarOnTheClassPath(Jdk jdk) throws Exception {
        String classPath = applicationJar() + File.pathSeparator + ForkedJvm.agentJar();
        Path classList = dir.resolve("with-agent.lst");
        Path archive = dir.resolve("with-agent.jsa");
        // With the exit checkpoint, which waits for the agent's whole start-up: its classes all load.
        String agent = "dir=" + dir.resolve("state");
        run(jdk, classPath, agent, "-XX:DumpLoadedClassList=" + classList);
        run(jdk, classPath, null, ADD_INSTRUMENT, "-Xshare:dump", "-XX:SharedClassListFile=" + classList,
                "-XX:SharedArchiveFile=" + archive);

        List<String> with = run(jdk, classPath, agent, "-XX:SharedArchiveFile=" + archive, "-Xlog:class+load");

        List<String> agentClasses = with.stream().filter(l -> l.contains(AGENT_CLASS_SOURCE)).toList();
        List<String> notShared = agentClasses.stream().filter(l -> !l.contains("source: shared objects file")).toList();
        assertTrue(agentClasses.size() >= 100, "the agent started and checkpointed: " + String.join("\n", with));
        // Not all: the dump cannot verify the classes that name the bridge classes the agent defines
        // at run time (AgentRuntime, StateRegistry and a few more: "Failed verification"), and JDK 25
        // leaves out ASM's, whose class files are of Java 5 ("Old class has been linked").
        assertTrue(notShared.size() * 4 <= agentClasses.size(), agentClasses.size() + " of the agent's classes, "
                + notShared.size() + " not from the archive:\n" + String.join("\n", notShared));
        assertEquals(sharedApplicationClasses(run(jdk, classPath, null, ADD_INSTRUMENT,
                "-XX:SharedArchiveFile=" + archive, "-Xlog:class+load")), sharedApplicationClasses(with));
        assertTrue(with.contains("area=13.0 agent-active=true"), String.join("\n", with));
        assertNoJvmWarning(with);
    }

    @Test
    void applicationClassesStillComeFromAnAotCacheTrainedWithTheAgent() throws Exception {
        Jdk jdk = Jdks.all().stream().filter(j -> j.feature() >= 25).findFirst().orElse(null);
        Required.component(jdk != null, "no JDK 25 to test the AOT cache on");
        Path jar = applicationJar();
        Path configuration = dir.resolve("app.aotconf");
        Path cache = dir.resolve("app.aot");
        // The JDK rejects a cache trained without -javaagent once one is added: train with the agent.
        run(jdk, jar, agentOptions(), "-XX:AOTMode=record", "-XX:AOTConfiguration=" + configuration);
        run(jdk, jar, agentOptions(), "-XX:AOTMode=create", "-XX:AOTConfiguration=" + configuration,
                "-XX:AOTCache=" + cache);

        List<String> with = run(jdk, jar, agentOptions(), "-XX:AOTCache=" + cache, "-XX:AOTMode=on", "-Xlog:class+load");

        assertTrue(sharedApplicationClasses(with).size() >= 4, String.join("\n", with));
        assertTrue(with.contains("area=13.0 agent-active=true"), String.join("\n", with));
        assertNoJvmWarning(with);
    }

    private String agentOptions() {
        return "dir=" + dir.resolve("state") + ",on-exit=false";
    }

    private static List<String> sharedApplicationClasses(List<String> lines) {
        return lines.stream().filter(l -> l.contains(APP_CLASS_SOURCE) && l.contains("source: shared objects file"))
                .map(l -> l.substring(l.indexOf("[class,load]"))).sorted().toList();
    }

    private static void assertNoJvmWarning(List<String> lines) {
        List<String> warnings = lines.stream()
                .filter(l -> l.contains("VM warning") || l.contains("[warning]") || l.contains("[error]")).toList();
        assertEquals(List.of(), warnings);
    }

    private List<String> run(Jdk jdk, Object classPath, String agent, String... jvmOptions) throws Exception {
        ForkedJvm.Builder builder = ForkedJvm.on(jdk).jvmOption(jvmOptions).classPath(classPath.toString());
        if (agent != null) {
            builder.agent(agent);
        }
        try (ForkedJvm app = builder.main(CdsApp.class).start()) {
            assertEquals(0, app.awaitExit(TIMEOUT), app.output());
            return new ArrayList<>(app.lines());
        }
    }

    /** Class-data sharing takes classes from jars only: the application and the API, as one jar. */
    private Path applicationJar() throws IOException {
        Path jar = dir.resolve("app.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            copyClasses(CdsApp.class, name -> name.startsWith(CdsApp.class.getSimpleName()), out);
            copyClasses(Stasis.class, name -> true, out);
        }
        return jar;
    }

    /** Copies the classes of {@code type}'s package whose simple file names pass, from a directory or a jar. */
    static void copyClasses(Class<?> type, Predicate<String> names, JarOutputStream out) throws IOException {
        String packagePath = type.getPackageName().replace('.', '/') + "/";
        Path location = Path.of(ForkedJvm.locationOf(type));
        if (Files.isDirectory(location)) {
            try (Stream<Path> files = Files.list(location.resolve(packagePath))) {
                for (Path file : files.toList()) {
                    String name = file.getFileName().toString();
                    if (name.endsWith(".class") && names.test(name)) {
                        out.putNextEntry(new JarEntry(packagePath + name));
                        Files.copy(file, out);
                        out.closeEntry();
                    }
                }
            }
            return;
        }
        try (JarInputStream in = new JarInputStream(Files.newInputStream(location))) {
            for (JarEntry entry; (entry = in.getNextJarEntry()) != null; ) {
                String name = entry.getName();
                if (name.startsWith(packagePath) && name.indexOf('/', packagePath.length()) < 0
                        && name.endsWith(".class") && names.test(name.substring(packagePath.length()))) {
                    out.putNextEntry(new JarEntry(name));
                    in.transferTo(out);
                    out.closeEntry();
                }
            }
        }
    }
}
