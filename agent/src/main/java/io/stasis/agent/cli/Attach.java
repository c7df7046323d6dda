package io.stasis.agent.cli;

import com.sun.tools.attach.VirtualMachine;
import io.stasis.agent.internal.AgentJar;
import io.stasis.agent.internal.capture.AttachRequest;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** Attaching to a running JVM, with a message that names the process when it cannot be done. */
final class Attach {

    /** How far a process's start time, from the boot time in whole seconds and clock ticks, may be off. */
    private static final Duration START_TIME_ERROR = Duration.ofSeconds(2);

    private Attach() {
    }

    /** Loads the agent into process {@code pid} with the request; its answer is in the request's directory. */
    static void request(long pid, AttachRequest request) throws IOException {
        VirtualMachine vm = to(pid);
        try {
            vm.loadAgent(AgentJar.path().toString(), request.argument());
        } catch (Exception e) {
            throw new IOException("the agent in process " + pid + " did not take the request: " + e.getMessage()
                    + " (see the process's output)", e);
        } finally {
            vm.detach();
        }
    }

    static VirtualMachine to(long pid) throws IOException {
        try {
            return VirtualMachine.attach(Long.toString(pid));
        } catch (Exception e) {
            // The JDK connects to an attach socket it finds without asking the process first; one left by
            // an earlier process with the same id (killed, so it could not remove it) refuses that.
            if (removedStaleSocket(pid)) {
                try {
                    return VirtualMachine.attach(Long.toString(pid));
                } catch (Exception again) {
                    e = again;
                }
            }
            throw new IOException("cannot attach to process " + pid + ": " + e.getMessage(), e);
        }
    }

    /**
     * Removes the attach socket that the JDK looks for to reach process {@code pid}
     * ({@code /tmp/.java_pidID} as the process sees {@code /tmp}) when it was made before the
     * process started, more than the start time's error earlier: an earlier process with the same
     * id left it. That {@code /tmp} is the process's, which its owner may have made a link: it is
     * opened without following one, and only a socket of the process's own user, or of this
     * command's (root's, when an earlier process of root's had the id), is removed, through that
     * opened directory, so no name swapped in meanwhile is followed either.
     *
     * @return whether one was removed
     */
    static boolean removedStaleSocket(long pid) {
        Optional<Instant> started = ProcessHandle.of(pid).flatMap(process -> process.info().startInstant());
        if (started.isEmpty()) {
            return false;
        }
        Path name = Path.of(".java_pid" + namespacePid(pid));
        try (DirectoryStream<Path> root = Files.newDirectoryStream(Path.of("/proc/" + pid + "/root"))) {
            if (!(root instanceof SecureDirectoryStream<Path> secureRoot)) {
                return false;
            }
            UserPrincipal user = Files.getOwner(Path.of("/proc/" + pid)); // the process's effective user
            UserPrincipal self = Files.getOwner(Path.of("/proc/self"));
            try (SecureDirectoryStream<Path> tmp = secureRoot.newDirectoryStream(Path.of("tmp"), LinkOption.NOFOLLOW_LINKS)) {
                PosixFileAttributes socket = tmp.getFileAttributeView(name, PosixFileAttributeView.class,
                        LinkOption.NOFOLLOW_LINKS).readAttributes();
                if (!socket.isOther() || !(socket.owner().equals(user) || socket.owner().equals(self))
                        || !socket.lastModifiedTime().toInstant().isBefore(started.get().minus(START_TIME_ERROR))) {
                    return false;
                }
                tmp.deleteFile(name);
                return true;
            }
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false; // none, or not ours to remove: the JDK's own message stands
        }
    }

    /** The process's id in its own PID namespace (the last of {@code NSpid}), which names its socket. */
    private static long namespacePid(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("NSpid:")) {
                    String[] ids = line.substring("NSpid:".length()).trim().split("\\s+");
                    return Long.parseLong(ids[ids.length - 1]);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // gone, or an old kernel: its own id
        }
        return pid;
    }
}
