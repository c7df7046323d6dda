package io.stasis.crac.image;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs a helper command to its end, within a bound, and collects what it printed. A command that
 * outlives its bound is killed: nothing here waits on another process for good.
 */
final class Processes {

    /** For commands that answer at once ({@code criu --version}, {@code kill}). */
    static final Duration SHORT = Duration.ofSeconds(30);

    record Result(int exitCode, String output) {
    }

    private Processes() {
    }

    static Result run(List<String> command, Duration bound) throws ImageException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        String name = command.get(0);
        try {
            Process process = builder.start();
            // Read on another thread, so that a command that never ends cannot hold this one.
            FutureTask<String> output = new FutureTask<>(() -> {
                try (InputStream in = process.getInputStream()) {
                    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
            });
            Thread reader = new Thread(output, "stasis-output-" + process.pid());
            reader.setDaemon(true);
            reader.start();
            long deadline = System.nanoTime() + bound.toNanos();
            if (!process.waitFor(bound.toNanos(), TimeUnit.NANOSECONDS)) {
                process.destroyForcibly();
                throw new ImageException(name + " did not finish within "
                        + (bound.toMillis() % 1000 == 0 ? bound.toSeconds() + " s" : bound.toMillis() + " ms") + " and was killed");
            }
            // Its output ends with it, unless a process it left behind still holds it open.
            long left = Math.max(deadline - System.nanoTime(), TimeUnit.SECONDS.toNanos(1));
            return new Result(process.exitValue(), output.get(left, TimeUnit.NANOSECONDS));
        } catch (IOException e) {
            throw new ImageException("cannot run " + name + ": " + e.getMessage(), e);
        } catch (ExecutionException e) {
            throw new ImageException("cannot read what " + name + " printed: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new ImageException(name + " ended, but a process it started still holds its output open", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ImageException("interrupted while running " + name, e);
        }
    }
}
