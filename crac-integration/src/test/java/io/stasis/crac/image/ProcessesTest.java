package io.stasis.crac.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessesTest {

    @Test
    void aCommandsExitCodeAndOutputAreCollected() throws Exception {
        Processes.Result result = Processes.run(List.of("sh", "-c", "echo out; echo err >&2; exit 3"), Processes.SHORT);

        assertEquals(3, result.exitCode());
        assertEquals("out\nerr\n", result.output());
    }

    @Test
    void aCommandThatOutlivesItsBoundIsKilled(@TempDir Path tmp) throws Exception {
        Path pid = tmp.resolve("pid");
        ImageException e = assertThrows(ImageException.class, () -> Processes.run(
                List.of("sh", "-c", "echo $$ > " + pid + "; exec sleep 600"), Duration.ofMillis(500)));

        assertTrue(e.getMessage().equals("sh did not finish within 500 ms and was killed"), e.getMessage());
        ProcessHandle sleeper = ProcessHandle.of(Long.parseLong(Files.readString(pid).strip())).orElse(null);
        if (sleeper != null) {
            sleeper.onExit().get(30, TimeUnit.SECONDS); // killed: it ends long before its 600 s
        }
    }

    @Test
    void aCommandThatCannotStartIsAClearError() {
        ImageException e = assertThrows(ImageException.class,
                () -> Processes.run(List.of("/nonexistent/criu", "--version"), Processes.SHORT));

        assertTrue(e.getMessage().startsWith("cannot run /nonexistent/criu"), e.getMessage());
    }
}
