package io.stasis.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stasis.agent.it.apps.ImageApp;
import io.stasis.agent.testing.ForkedJvm;
import io.stasis.agent.testing.Jdk;
import io.stasis.api.Stasis;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The agent's {@code jdk.crac} path, which no JDK on this machine has: a stand-in module built here
 * from the published API ({@code src/test/crac-standin}) takes the CRaC JDK's place. It shows the
 * wiring (the agent's Resource registered with {@code jdk.crac}, the application's reaching it through
 * {@code org.crac}, the order of notifications, the agent's snapshot at the checkpoint); it does not
 * show that a real CRaC JDK's image restores, which only such a JDK can.
 */
class CracStandInIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Path SOURCES = Path.of("src/test/crac-standin/jdk.crac");
    private static final String CLASS_PATH = ForkedJvm.classPathOf(ImageApp.class, Stasis.class, org.crac.Core.class);

    @ParameterizedTest
    @MethodSource("io.stasis.agent.testing.Jdks#all")
    void theAgentAndTheApplicationsResourcesAreNotifiedThroughJdkCracInOrder(Jdk jdk, @TempDir Path tmp)
            throws Exception {
        Path module = compileStandIn(tmp.resolve("jdk.crac"));
        try (ForkedJvm app = ForkedJvm.on(jdk).jvmOption("--module-path", module.toString(), "--add-modules", "jdk.crac")
                .agent("dir=" + tmp.resolve("data")).classPath(CLASS_PATH).main(ImageApp.class, "30", "self-image")
                .directory(tmp).start()) {
            assertEquals(0, app.awaitExit(TIMEOUT), app.output());
            List<String> notified = app.lines().stream().filter(l -> l.startsWith("jdk.crac stand-in: ")).toList();
            assertEquals(6, notified.size(), app.output());
            assertEquals("jdk.crac stand-in: checkpoint", notified.get(0));
            // Registered first, the agent's Resource hears last before and first after.
            assertTrue(notified.get(1).startsWith("jdk.crac stand-in: beforeCheckpoint ")
                    && !notified.get(1).contains("Stasis agent"), "the application's first: " + notified);
            assertEquals("jdk.crac stand-in: beforeCheckpoint stasis:Stasis agent", notified.get(2), app.output());
            assertEquals("jdk.crac stand-in: afterRestore stasis:Stasis agent", notified.get(3), app.output());
            assertTrue(notified.get(4).startsWith("jdk.crac stand-in: afterRestore ")
                    && !notified.get(4).contains("Stasis agent"), "the application's last: " + notified);
            assertEquals("jdk.crac stand-in: restored", notified.get(5));
            String out = app.output();
            assertTrue(out.contains("resource beforeCheckpoint #1 at tick 20"), out);
            assertTrue(out.contains("resource afterRestore #1 at tick 20"), out);
            assertTrue(out.contains("checkpointRestore returned"), out);
            assertTrue(out.contains("committed (image)"), "the image's heap state is also a snapshot: " + out);
            assertTrue(out.contains("done 30"), out);
        }
    }

    private static Path compileStandIn(Path out) throws Exception {
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        List<String> arguments = new ArrayList<>(List.of("--release", "17", "-d", out.toString()));
        try (Stream<Path> files = Files.walk(SOURCES)) {
            files.filter(p -> p.toString().endsWith(".java")).forEach(p -> arguments.add(p.toString()));
        }
        assertEquals(0, compiler.run(null, null, null, arguments.toArray(String[]::new)), "the stand-in compiles");
        return out;
    }
}
