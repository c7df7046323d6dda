package io.stasis.agent.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A short command a test runs to its end (a stock tool, a CLI): its output and errors merged into a
 * file rather than a pipe, so that a command that never ends cannot hold the test in a read, and
 * the wait bounded; past the bound the command and everything it started are killed and the test
 * fails with what it printed.
 */
public final class Command {

    /** Long enough for a JVM or a stock tool on a loaded machine, short of CI's patience. */
    public static final Duration TIMEOUT = Duration.ofMinutes(2);

    /** How a command ended: its exit status and what it printed (output and errors, in order). */
    public record Result(int exitCode, String output) {
    }

    private Command() {
    }

    /** Runs {@code command} with the default {@link #TIMEOUT}. */
    public static Result run(String... command) throws IOException, InterruptedException {
        return run(TIMEOUT, List.of(command));
    }

    /** Runs {@code command}, waiting at most {@code timeout} for it to end. */
    public static Result run(Duration timeout, List<String> command) throws IOException, InterruptedException {
        return run(new ProcessBuilder(command), timeout);
    }

    /**
     * Runs what {@code builder} describes (its command, directory and environment; its output and
     * errors are taken over), waiting at most {@code timeout} for it to end.
     */
    public static Result run(ProcessBuilder builder, Duration timeout) throws IOException, InterruptedException {
        Path log = Files.createTempFile("stasis-command-", ".log");
        try {
            Process process = builder.redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError(String.join(" ", builder.command()) + " did not end in " + timeout
                        + "; it printed:\n" + read(log));
            }
            return new Result(process.exitValue(), read(log));
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static String read(Path log) throws IOException {
        return new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
    }
}
