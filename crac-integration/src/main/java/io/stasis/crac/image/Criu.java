package io.stasis.crac.image;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The CRIU binary: found through {@code STASIS_CRIU}, then where {@code install-criu.sh} puts it,
 * then on the {@code PATH}; its version; the oldest version the running kernel allows.
 */
public final class Criu {

    static final Path INSTALLED = Path.of("/opt/stasis-criu/bin/criu");
    private static final Pattern VERSION = Pattern.compile("Version:\\s*(\\d+)\\.(\\d+)");

    private final Path binary;
    private final int[] version;

    Criu(Path binary, int[] version) {
        this.binary = binary;
        this.version = version;
    }

    /** @throws ImageException when no usable CRIU is found, saying how to install one */
    public static Criu locate() throws ImageException {
        List<Path> candidates = new ArrayList<>();
        String configured = System.getenv("STASIS_CRIU");
        if (configured != null && !configured.isBlank()) {
            candidates.add(Path.of(configured));
        } else {
            candidates.add(INSTALLED);
            for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
                if (!dir.isEmpty()) {
                    candidates.add(Path.of(dir, "criu"));
                }
            }
        }
        for (Path candidate : candidates) {
            if (Files.isExecutable(candidate)) {
                return new Criu(candidate, versionOf(candidate));
            }
        }
        throw new ImageException("CRIU is not installed (looked at " + candidates.get(0)
                + (configured == null ? " and on the PATH" : "") + "); install it with crac-integration/scripts/install-criu.sh"
                + " or name the binary in STASIS_CRIU");
    }

    private static int[] versionOf(Path binary) throws ImageException {
        Processes.Result result = Processes.run(List.of(binary.toString(), "--version"), Processes.SHORT);
        Matcher m = VERSION.matcher(result.output());
        if (result.exitCode() != 0 || !m.find()) {
            throw new ImageException(binary + " --version failed: " + result.output().strip());
        }
        return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))};
    }

    public Path binary() {
        return binary;
    }

    public String version() {
        return version[0] + "." + version[1];
    }

    /**
     * Refuses a CRIU the running kernel has outgrown: from Linux 6.13 the vDSO layout needs CRIU 4.1
     * or later ({@code vdso: Unexpected rt vDSO area bounds}).
     */
    public void checkKernel(String kernelRelease) throws ImageException {
        Matcher m = Pattern.compile("^(\\d+)\\.(\\d+)").matcher(kernelRelease);
        if (m.find()) {
            int major = Integer.parseInt(m.group(1));
            int minor = Integer.parseInt(m.group(2));
            boolean newKernel = major > 6 || (major == 6 && minor >= 13);
            boolean oldCriu = version[0] < 4 || (version[0] == 4 && version[1] < 1);
            if (newKernel && oldCriu) {
                throw new ImageException("CRIU " + version() + " (" + binary + ") is too old for kernel " + kernelRelease
                        + ": kernels 6.13 and later need CRIU 4.1 or later; install it with "
                        + "crac-integration/scripts/install-criu.sh");
            }
        }
    }

    /**
     * The command line for {@code criu ARGS}, with umask {@code 077}: the files CRIU makes (image
     * files, logs) hold a process's memory and are its user's alone.
     */
    List<String> command(List<String> arguments) {
        List<String> command = new ArrayList<>(List.of("sh", "-c", "umask 077; exec \"$0\" \"$@\""));
        command.add(binary.toString());
        command.addAll(arguments);
        return command;
    }

    /** The lines of a CRIU log that say what went wrong, or its end if none does. */
    static String logErrors(Path log) {
        try {
            List<String> errors = Files.readAllLines(log, StandardCharsets.UTF_8).stream()
                    .filter(l -> l.contains("Error") && !l.contains("RLIMIT_NOFILE")).toList();
            String text = errors.isEmpty() ? readLogTail(log, 12)
                    : String.join("\n", errors.subList(0, Math.min(errors.size(), 12)));
            return text + hint(text);
        } catch (IOException e) {
            return "(no log at " + log + ")";
        }
    }

    /** What CRIU's own words leave out, for the errors people meet most. */
    static String hint(String errors) {
        if (errors.contains("sockets: Can't get") && errors.contains("Operation not supported")) {
            return "\n(CRIU before 4.2 cannot dump a process with a TCP socket on kernels from 6.16: install CRIU 4.2 "
                    + "with crac-integration/scripts/install-criu.sh)";
        }
        return "";
    }

    static String readLogTail(Path log, int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log at " + log + ")";
        }
    }
}
