package io.stasis.agent.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CommandTest {

    @Test
    void givesTheExitStatusAndTheOutputAndErrorsInOrder() throws Exception {
        Command.Result result = Command.run("bash", "-c", "echo out; echo err >&2; exit 3");
        assertEquals(3, result.exitCode());
        assertEquals("out\nerr\n", result.output());
    }

    /** The case it exists for: a command that keeps its output open and never ends, with a child doing the same. */
    @Test
    void killsACommandThatDoesNotEndAndEverythingItStarted() throws Exception {
        AssertionError failure = assertThrows(AssertionError.class, () -> Command.run(Duration.ofSeconds(2),
                List.of("bash", "-c", "echo started $$; sleep 600 & echo child $!; wait")));
        String message = failure.getMessage();
        assertTrue(message.contains("did not end in PT2S") && message.contains("started "), message);
        long child = Long.parseLong(message.replaceAll("(?s).*child (\\d+).*", "$1"));
        Optional<ProcessHandle> handle = ProcessHandle.of(child);
        if (handle.isPresent()) {
            handle.get().onExit().get(10, TimeUnit.SECONDS); // killed, so gone soon; a live sleep times out here
        }
        assertFalse(ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false), "the child was killed");
    }
}
