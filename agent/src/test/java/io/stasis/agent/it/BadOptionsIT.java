package io.stasis.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stasis.agent.it.apps.StateApp;
import io.stasis.agent.testing.AgentLog;
import io.stasis.agent.testing.ForkedJvm;
import io.stasis.agent.testing.Jdk;
import io.stasis.agent.testing.Jdks;
import io.stasis.api.Stasis;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Each bad option stops start-up with one line naming the key, before the application runs. */
class BadOptionsIT {

    static Stream<Arguments> badOptions() {
        List<Arguments> cases = new ArrayList<>();
        String[][] table = {
                {"bogus=1", "'bogus'"},
                {"interval=soon", "'interval'"},
                {"interval=0s", "'interval'"},
                {"interval=1ms", "option 'interval' has a bad value '1ms': expected off, auto or a duration of at least 10ms"},
                {"interval=9999999999999h", "option 'interval' has a bad value '9999999999999h': expected off, auto or a duration of at most 8760h"},
                {"interval=auto,pause-budget=lots", "option 'pause-budget' has a bad value 'lots'"},
                {"interval=30s,interval.min=1s", "option 'interval.min' is set but interval is not auto"},
                {"keep=0", "'keep'"},
                {"keep=many", "'keep'"},
                {"on-exit=maybe", "'on-exit'"},
                {"quiesce-timeout=-1s", "'quiesce-timeout'"},
                {"restore=../elsewhere", "'restore'"},
                {"restore=42", "'restore'"},
                {"quiesce=com.acme.Worker", "'quiesce'"},
                {"fields=#entries", "'fields'"},
                {"allow=com.*.acme", "'allow'"},
                {"config=/nonexistent/stasis.properties", "'config'"},
                {"dir", "'dir'"},
                {"dir=/tmp", "option 'dir': /tmp is writable by group or others"},
        };
        for (Jdk jdk : Jdks.all()) {
            for (String[] row : table) {
                cases.add(Arguments.of(jdk, row[0], row[1]));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("badOptions")
    void startUpStopsWithOneLineNamingTheKey(Jdk jdk, String options, String key, @TempDir Path dir) throws Exception {
        String agentOptions = options.startsWith("dir") || options.startsWith("config") ? options : "dir=" + dir + "," + options;
        try (ForkedJvm app = ForkedJvm.on(jdk).agent(agentOptions)
                .classPath(ForkedJvm.classPathOf(StateApp.class, Stasis.class)).main(StateApp.class, "no-agent").start()) {
            assertEquals(1, app.awaitExit(Duration.ofSeconds(60)), app.output());
            List<String> errors = AgentLog.messages(app.lines(), "ERROR");
            assertEquals(1, errors.size(), app.output());
            assertTrue(errors.get(0).contains(key), errors.get(0));
            assertTrue(app.lines().stream().noneMatch(l -> l.startsWith("active=")), "the application must not run");
        }
    }

    @ParameterizedTest
    @MethodSource("io.stasis.agent.testing.Jdks#all")
    void systemPropertiesAndConfigFilesAreCheckedToo(Jdk jdk, @TempDir Path dir) throws Exception {
        Path config = dir.resolve("stasis.properties");
        Files.writeString(config, "keep=3\ninterval=forever\n");
        try (ForkedJvm app = ForkedJvm.on(jdk).jvmOption("-Dstasis.config=" + config).agent("dir=" + dir)
                .classPath(ForkedJvm.classPathOf(StateApp.class, Stasis.class)).main(StateApp.class, "no-agent").start()) {
            assertEquals(1, app.awaitExit(Duration.ofSeconds(60)));
            assertTrue(app.output().contains("option 'interval' has a bad value 'forever'"), app.output());
        }
        // The agent argument wins over the file, so the same file with interval=1s on the argument starts.
        try (ForkedJvm app = ForkedJvm.on(jdk).jvmOption("-Dstasis.config=" + config).agent("dir=" + dir + ",interval=1s")
                .classPath(ForkedJvm.classPathOf(StateApp.class, Stasis.class)).main(StateApp.class, "no-agent").start()) {
            assertEquals(0, app.awaitExit(Duration.ofSeconds(60)), app.output());
            assertTrue(app.output().contains("interval=1000ms, on-exit=true, keep=3"), app.output());
        }
    }
}
