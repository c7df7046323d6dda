package io.stasis.agent.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A second, unprivileged local user, created for real with {@code useradd} (the tests run as
 * root), for the attacks another local user can make: planting links and files, holding locks,
 * owning directories. Commands run as it through {@code setpriv}.
 */
public final class OtherUser {

    public static final String NAME = "stasis-other";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final int uid;
    private final int gid;

    private OtherUser(int uid, int gid) {
        this.uid = uid;
        this.gid = gid;
    }

    /** The user, created if it does not exist yet; as {@link Required} when this cannot be done. */
    public static synchronized OtherUser require() {
        boolean root = "0".equals(output("id", "-u").strip());
        Required.component(root, "the tests do not run as root, so they cannot create a second local user");
        if (exit("id", "-u", NAME) != 0) {
            int created = exit("useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", NAME);
            // 9: made meanwhile by another test JVM
            Required.component(created == 0 || created == 9, "useradd " + NAME + " failed (exit " + created + ")");
        }
        return new OtherUser(Integer.parseInt(output("id", "-u", NAME).strip()),
                Integer.parseInt(output("id", "-g", NAME).strip()));
    }

    public int uid() {
        return uid;
    }

    public int gid() {
        return gid;
    }

    /** {@code command} to be run as this user (no supplementary groups). */
    public List<String> command(String... command) {
        List<String> full = new ArrayList<>(List.of("setpriv", "--reuid=" + uid, "--regid=" + gid, "--clear-groups",
                "--"));
        full.addAll(List.of(command));
        return full;
    }

    /** Starts {@code command} as this user, its output merged into the test's. */
    public Process start(String... command) throws IOException {
        return new ProcessBuilder(command(command)).inheritIO().start();
    }

    /** Runs {@code command} as this user and returns its exit status (bounded wait). */
    public int run(String... command) throws IOException, InterruptedException {
        Process process = start(command);
        if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("as " + NAME + ": " + String.join(" ", command) + " did not end in " + TIMEOUT);
        }
        return process.exitValue();
    }

    /** Gives {@code path} to this user (not following a link), as an attacker's own file. */
    public Path own(Path path) throws IOException {
        return Files.setAttribute(path, "unix:uid", uid, java.nio.file.LinkOption.NOFOLLOW_LINKS);
    }

    /** A new directory this user owns and everyone may enter, for the attacker's own files. */
    public Path directory(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        return own(dir);
    }

    /** How {@code command} ended; a command that cannot start, or does not end in time, is taken as failed. */
    private static Command.Result result(String... command) {
        try {
            return Command.run(TIMEOUT, List.of(command));
        } catch (IOException | AssertionError e) {
            return new Command.Result(-1, "");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Command.Result(-1, "");
        }
    }

    private static int exit(String... command) {
        return result(command).exitCode();
    }

    private static String output(String... command) {
        return result(command).output();
    }
}
