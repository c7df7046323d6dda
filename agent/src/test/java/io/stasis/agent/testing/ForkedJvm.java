package io.stasis.agent.testing;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * A second JVM, started for real, optionally with the built agent jar. Its standard output and
 * error are collected line by line (and echoed, prefixed, for the test log).
 */
public final class ForkedJvm implements AutoCloseable {

    private final Process process;
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final String label;
    private final List<Thread> pumps = new ArrayList<>();

    private ForkedJvm(Process process, String label) {
        this.process = process;
        this.label = label;
        pumps.add(pump(process.getInputStream()));
        pumps.add(pump(process.getErrorStream()));
    }

    /** The agent jar the build produced ({@code agent/target/stasis-agent.jar}). */
    public static Path agentJar() {
        String configured = System.getProperty("it.agentJar");
        Path jar = configured != null ? Path.of(configured) : Path.of("target", "stasis-agent.jar");
        if (!jar.toFile().isFile()) {
            throw new IllegalStateException("agent jar not built: " + jar.toAbsolutePath() + " (run mvn verify)");
        }
        return jar.toAbsolutePath();
    }

    /** Where each class was loaded from: a class path made of exactly those locations. */
    public static String classPathOf(Class<?>... classes) {
        return Arrays.stream(classes).map(ForkedJvm::locationOf).distinct().collect(Collectors.joining(File.pathSeparator));
    }

    public static String locationOf(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Builder on(Jdk jdk) {
        return new Builder(jdk);
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Every line printed so far, standard output and error interleaved as they arrived. */
    public List<String> lines() {
        return List.copyOf(lines);
    }

    public String output() {
        return String.join("\n", lines);
    }

    /** Waits for a line that satisfies {@code test}; fails with the output so far after {@code timeout}. */
    public String awaitLine(Predicate<String> test, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int checked = 0;
        while (System.nanoTime() < deadline) {
            List<String> snapshot = lines();
            for (; checked < snapshot.size(); checked++) {
                if (test.test(snapshot.get(checked))) {
                    return snapshot.get(checked);
                }
            }
            if (!process.isAlive() && checked >= lines().size()) {
                drain();
                if (checked >= lines().size()) {
                    throw new AssertionError(label + " exited (" + process.exitValue() + ") before the expected line:\n" + output());
                }
            }
            Thread.sleep(5);
        }
        throw new AssertionError(label + ": expected line did not appear within " + timeout + ":\n" + output());
    }

    public String awaitLineContaining(String text, Duration timeout) throws InterruptedException {
        return awaitLine(line -> line.contains(text), timeout);
    }

    /** Waits for the JVM to exit on its own and returns its exit status. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(label + " did not exit within " + timeout + ":\n" + output());
        }
        drain();
        return process.exitValue();
    }

    /**
     * {@code kill -9}: no shutdown hooks, no flushing, nothing. Sent through the process handle, so
     * that what the JVM printed before it died is still read (see {@link #terminate()}).
     */
    public void kill9() throws InterruptedException {
        process.toHandle().destroyForcibly();
        process.waitFor();
        drain();
    }

    /**
     * {@code kill} (SIGTERM): an orderly shutdown with shutdown hooks. Sent through the process
     * handle, because {@code Process.destroy()} also closes our ends of its pipes and would lose
     * what the shutdown hooks print.
     */
    public void terminate() {
        process.toHandle().destroy();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill9();
        }
    }

    /** Once the process has exited: waits until everything it wrote has been read. */
    private void drain() throws InterruptedException {
        for (Thread pump : pumps) {
            pump.join(10_000);
        }
    }

    private Thread pump(InputStream stream) {
        Thread pump = new Thread(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                for (String line; (line = reader.readLine()) != null; ) {
                    lines.add(line);
                    if (Boolean.getBoolean("it.echo")) {
                        System.out.println("  [" + label + "] " + line);
                    }
                }
            } catch (IOException e) {
                // the process is gone
            }
        }, "pump-" + label);
        pump.setDaemon(true);
        pump.start();
        return pump;
    }

    /** How to start one. */
    public static final class Builder {
        private final Jdk jdk;
        private final List<String> jvmOptions = new ArrayList<>();
        private String agentOptions;
        private String classPath;
        private String mainClass;
        private Path jar;
        private final List<String> arguments = new ArrayList<>();
        private Path directory;
        private final List<String> launcher = new ArrayList<>();

        private Builder(Jdk jdk) {
            this.jdk = jdk;
        }

        /** Runs with {@code -javaagent:stasis-agent.jar=OPTIONS} (empty for no options). */
        public Builder agent(String options) {
            this.agentOptions = options;
            return this;
        }

        public Builder jvmOption(String... options) {
            jvmOptions.addAll(List.of(options));
            return this;
        }

        public Builder classPath(String path) {
            this.classPath = path;
            return this;
        }

        public Builder main(Class<?> type, String... args) {
            this.mainClass = type.getName();
            arguments.addAll(List.of(args));
            return this;
        }

        public Builder main(String type, String... args) {
            this.mainClass = type;
            arguments.addAll(List.of(args));
            return this;
        }

        /** Runs {@code java -jar JAR ARGS} instead of a main class. */
        public Builder jar(Path executableJar, String... args) {
            this.jar = executableJar;
            arguments.addAll(List.of(args));
            return this;
        }

        public Builder directory(Path workingDirectory) {
            this.directory = workingDirectory;
            return this;
        }

        /**
         * Runs the JVM through a command that execs it, such as {@code setsid} (which keeps the PID,
         * since the child is not a group leader) or {@code unshare}.
         */
        public Builder launcher(String... command) {
            launcher.addAll(List.of(command));
            return this;
        }

        public ForkedJvm start() {
            List<String> command = new ArrayList<>(launcher);
            command.add(jdk.java().toString());
            command.addAll(jvmOptions);
            if (agentOptions != null) {
                command.add("-javaagent:" + agentJar() + (agentOptions.isEmpty() ? "" : "=" + agentOptions));
            }
            if (jar != null) {
                command.add("-jar");
                command.add(jar.toString());
            } else {
                if (classPath != null) {
                    command.add("-cp");
                    command.add(classPath);
                }
                command.add(mainClass);
            }
            command.addAll(arguments);
            ProcessBuilder builder = new ProcessBuilder(command);
            if (directory != null) {
                builder.directory(directory.toFile());
            }
            try {
                String label = (jar != null ? jar.getFileName().toString() : mainClass.substring(mainClass.lastIndexOf('.') + 1))
                        + "@" + jdk.feature();
                return new ForkedJvm(builder.start(), label);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start " + command, e);
            }
        }
    }
}
