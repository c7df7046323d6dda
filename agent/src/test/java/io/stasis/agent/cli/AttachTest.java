package io.stasis.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stasis.agent.testing.Command;
import io.stasis.agent.testing.OtherUser;
import io.stasis.agent.testing.Required;
import io.stasis.files.PrivateFiles;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which attach sockets {@link Attach#removedStaleSocket} removes. The process is a {@code sleep}
 * in a root directory of its own ({@code chroot}, as a container's process sees its own
 * {@code /tmp}); the tests run as root, as the command does when it removes what another user's
 * process left.
 */
class AttachTest {

    @TempDir
    Path tmp;

    private Process process;

    @AfterEach
    void stop() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aSocketMadeBeforeTheProcessStartedIsRemoved() throws Exception {
        Path root = rootWithSleep();
        Path tmpOfProcess = Files.createDirectory(root.resolve("tmp"));
        long pid = start(root);
        Path socket = staleSocket(tmpOfProcess.resolve(".java_pid" + pid));

        assertTrue(Attach.removedStaleSocket(pid));
        assertFalse(Files.exists(socket, LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void aSocketMadeSinceTheProcessStartedStays() throws Exception {
        Path root = rootWithSleep();
        Path tmpOfProcess = Files.createDirectory(root.resolve("tmp"));
        long pid = start(root);
        Path socket = tmpOfProcess.resolve(".java_pid" + pid);
        bind(socket);

        assertFalse(Attach.removedStaleSocket(pid));
        assertTrue(Files.exists(socket, LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void aSocketOfAnotherUserStays() throws Exception {
        OtherUser other = OtherUser.require();
        Path root = rootWithSleep();
        Path tmpOfProcess = Files.createDirectory(root.resolve("tmp"));
        long pid = start(root);
        Path socket = staleSocket(tmpOfProcess.resolve(".java_pid" + pid));
        Files.setAttribute(socket, "unix:uid", other.uid(), LinkOption.NOFOLLOW_LINKS);

        assertFalse(Attach.removedStaleSocket(pid));
        assertTrue(Files.exists(socket, LinkOption.NOFOLLOW_LINKS));
    }

    /** Root reaching another user's process: a socket root's earlier process with that id left is removed. */
    @Test
    void ourOwnStaleSocketIsRemovedForAProcessOfAnotherUser() throws Exception {
        OtherUser other = OtherUser.require();
        Path root = rootWithSleep();
        Path tmpOfProcess = Files.createDirectory(root.resolve("tmp"));
        long pid = start(root, "--userspec=" + other.uid() + ":" + other.gid());
        Path socket = staleSocket(tmpOfProcess.resolve(".java_pid" + pid));

        assertTrue(Attach.removedStaleSocket(pid));
        assertFalse(Files.exists(socket, LinkOption.NOFOLLOW_LINKS));
    }

    /** The process's owner can make its {@code /tmp} a link to anywhere; the command never follows it. */
    @Test
    void aTmpThatIsALinkIsNotFollowed() throws Exception {
        Path root = rootWithSleep();
        Path elsewhere = Files.createDirectory(tmp.resolve("elsewhere"));
        Files.createSymbolicLink(root.resolve("tmp"), elsewhere);
        long pid = start(root);
        Path socket = staleSocket(elsewhere.resolve(".java_pid" + pid));

        assertFalse(Attach.removedStaleSocket(pid));
        assertTrue(Files.exists(socket, LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void aLinkInPlaceOfTheSocketIsNotFollowed() throws Exception {
        Path root = rootWithSleep();
        Path tmpOfProcess = Files.createDirectory(root.resolve("tmp"));
        long pid = start(root);
        Path target = staleSocket(tmp.resolve("target.sock"));
        Path link = Files.createSymbolicLink(tmpOfProcess.resolve(".java_pid" + pid), target);

        assertFalse(Attach.removedStaleSocket(pid));
        assertTrue(Files.exists(target, LinkOption.NOFOLLOW_LINKS));
        assertTrue(Files.isSymbolicLink(link));
    }

    /** A root directory holding {@code sleep} and the libraries it loads. */
    private Path rootWithSleep() throws IOException, InterruptedException {
        Required.component(PrivateFiles.uid() == 0, "the tests do not run as root, so they cannot chroot");
        Path root = Files.createDirectory(tmp.resolve("root"));
        Path sleep = Path.of("/bin/sleep");
        copy(sleep, root.resolve("bin/sleep"));
        Command.Result ldd = Command.run("ldd", sleep.toString());
        String libraries = ldd.output();
        assertEquals(0, ldd.exitCode(), libraries);
        for (String word : libraries.split("\\s+")) {
            if (word.startsWith("/")) {
                copy(Path.of(word), root.resolve(word.substring(1)));
            }
        }
        return root;
    }

    private static void copy(Path file, Path to) throws IOException {
        Files.createDirectories(to.getParent());
        Files.copy(file, to, StandardCopyOption.COPY_ATTRIBUTES);
    }

    /** Starts {@code sleep} in {@code root}; returns once the process's root is {@code root}. */
    private long start(Path root, String... chrootOptions) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("chroot"));
        command.addAll(List.of(chrootOptions));
        command.addAll(List.of(root.toString(), "/bin/sleep", "60"));
        process = new ProcessBuilder(command).redirectErrorStream(true).start();
        Path rootOfProcess = Path.of("/proc/" + process.pid() + "/root");
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!root.toRealPath().equals(Files.readSymbolicLink(rootOfProcess))) {
            assertTrue(process.isAlive() && System.nanoTime() < deadline, () -> "chroot " + root + " did not start sleep");
            Thread.sleep(5);
        }
        return process.pid();
    }

    /** A socket left by an earlier process: bound, closed unlistened (so it refuses), an hour old. */
    private static Path staleSocket(Path path) throws IOException {
        bind(path);
        Files.setLastModifiedTime(path, FileTime.from(Instant.now().minus(Duration.ofHours(1))));
        return path;
    }

    private static void bind(Path path) throws IOException {
        try (ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.bind(UnixDomainSocketAddress.of(path));
        }
    }
}
