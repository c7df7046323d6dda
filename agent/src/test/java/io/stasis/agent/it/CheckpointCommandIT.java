package io.stasis.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.tools.attach.AgentInitializationException;
import com.sun.tools.attach.VirtualMachine;

import io.stasis.agent.it.apps.ImageApp;
import io.stasis.agent.testing.AgentLog;
import io.stasis.agent.testing.ForkedJvm;
import io.stasis.agent.testing.Jdk;
import io.stasis.agent.testing.OtherUser;
import io.stasis.api.Stasis;
import java.io.File;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.io.FileUtils;
import java.time.Duration;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code checkpoint PID} of the built agent jar against a ticking application, with the agent
 * running in it and without.
 */
class CheckpointCommandIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String CLASS_PATH = ForkedJvm.classPathOf(ImageApp.class, Stasis.class, org.crac.Core.class);

    @ParameterizedTest
    @MethodSource("io.stasis.agent.testing.Jdks#all")
    void theRunningAgentTakesASnapshotOnRequestAndTheNextStartResumesFromIt(Jdk jdk, @TempDir Path tmp)
            throws Exception {
        Path data = tmp.resolve("data");
        try (ForkedJvm app = ForkedJvm.on(jdk).agent("dir=" + data + ",on-exit=false").classPath(CLASS_PATH)
                .main(ImageApp.class, "100000").start()) {
            app.awaitLineContaining("tick 5 ", TIMEOUT);
            try (ForkedJvm cli = cli(jdk, "checkpoint", Long.toString(app.pid()), "--reason", "ops").start()) {
                assertEquals(0, cli.awaitExit(TIMEOUT), cli.output());
                assertTrue(cli.output().contains("snapshot 1 of process " + app.pid() + " committed (ops)"), cli.output());
            }
            app.awaitLineContaining("checkpoint 1 committed (ops)", TIMEOUT);
            app.kill9();
        }
        try (ForkedJvm list = cli(jdk, "list", "--dir", data.toString()).start()) {
            assertEquals(0, list.awaitExit(TIMEOUT), list.output());
            assertTrue(list.output().contains(" ops ") && list.output().contains("1 snapshot(s)"), list.output());
        }
        try (ForkedJvm again = ForkedJvm.on(jdk).agent("dir=" + data).classPath(CLASS_PATH).main(ImageApp.class, "3")
                .start()) {
            assertEquals(0, again.awaitExit(TIMEOUT), again.output());
            assertTrue(again.output().contains("from SNAPSHOT"), again.output());
        }
    }

    /**
     * An attach socket left by an earlier process with the same id (killed, so it never removed its
     * own) makes the JDK's attach fail with "Connection refused": PIDs come round again, and CI met
     * it. The command removes such a socket, made before the process started, and attaches.
     */
    @ParameterizedTest
    @MethodSource("io.stasis.agent.testing.Jdks#all")
    void anAttachSocketLeftByAnEarlierProcessWithTheSameIdIsNoObstacle(Jdk jdk, @TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("data");
        try (ForkedJvm app = ForkedJvm.on(jdk).agent("dir=" + data + ",on-exit=false").classPath(CLASS_PATH)
                .main(ImageApp.class, "100000").start()) {
            app.awaitLineContaining("tick 3 ", TIMEOUT);
            Path stale = Path.of("/tmp/.java_pid" + app.pid());
            Files.deleteIfExists(stale);
            try (ServerSocketChannel earlier = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                earlier.bind(UnixDomainSocketAddress.of(stale)); // closed unlistened: the file stays, refusing
            }
            Files.setPosixFilePermissions(stale, PosixFilePermissions.fromString("rw-------")); // as the JDK makes it
            Files.setLastModifiedTime(stale, FileTime.from(Instant.now().minus(Duration.ofHours(1))));
            try (ForkedJvm cli = cli(jdk, "checkpoint", Long.toString(app.pid()), "--reason", "ops").start()) {
                assertEquals(0, cli.awaitExit(TIMEOUT), cli.output());
                assertTrue(cli.output().contains("snapshot 1 of process " + app.pid() + " committed (ops)"), cli.output());
            }
            app.kill9();
        }
    }

    @ParameterizedTest
    @MethodSource("io.stasis.agent.testing.Jdks#all")
    void withoutTheAgentItIsLoadedFirstAndRestoresNothingIntoTheLiveApplication(Jdk jdk, @TempDir Path tmp)
            throws Exception {
        Path data = tmp.resolve("data");
        try (ForkedJvm earlier = ForkedJvm.on(jdk).agent("dir=" + data).classPath(CLASS_PATH)
                .main(ImageApp.class, "50").start()) {
            assertEquals(0, earlier.awaitExit(TIMEOUT), earlier.output()); // its exit snapshot holds tick 50
        }
        try (ForkedJvm app = ForkedJvm.on(jdk).classPath(CLASS_PATH).main(ImageApp.class, "100000").start()) {
            app.awaitLineContaining("tick 5 ", TIMEOUT);
            try (ForkedJvm cli = cli(jdk, "checkpoint", Long.toString(app.pid()), "--agent-options",
                    "dir=" + data + ",on-exit=false", "--reason", "ops").start()) {
                assertEquals(0, cli.awaitExit(TIMEOUT), cli.output());
                assertTrue(cli.output().contains("snapshot 2 of process " + app.pid() + " committed (ops)"), cli.output());
            }
            assertTrue(app.output().contains("not restoring: restore=none"), app.output());
            long tick = ImageIT.tickOf(app.awaitLine(line -> line.startsWith("tick ") && ImageIT.tickOf(line) > 6, TIMEOUT));
            assertTrue(tick < 50, "it went on from its own state, not from the earlier snapshot: tick " + tick);
            app.kill9();
        }
        try (ForkedJvm list = cli(jdk, "list", "--dir", data.toString()).start()) {
            assertEquals(0, list.awaitExit(TIMEOUT), list.output());
            assertTrue(list.output().contains(" ops ") && list.output().contains("2 snapshot(s)"), list.output());
        }
    }

    @ParameterizedTest
    @MethodSource("io.stasis.agent.testing.Jdks#all")
    void withoutTheAgentAndWithoutOptionsTheAgentsDefaultsApply(Jdk jdk, @TempDir Path tmp) throws Exception {
        try (ForkedJvm app = ForkedJvm.on(jdk).classPath(CLASS_PATH).directory(tmp)
                .main(ImageApp.class, "100000").start()) {
            app.awaitLineContaining("tick 3 ", TIMEOUT);
            try (ForkedJvm cli = cli(jdk, "checkpoint", Long.toString(app.pid())).start()) {
                assertEquals(0, cli.awaitExit(TIMEOUT), cli.output());
                assertTrue(cli.output().contains("snapshot 1 of process " + app.pid() + " committed"), cli.output());
            }
            assertTrue(Files.isDirectory(tmp.resolve("stasis-data/manifests")), "the default dir, ./stasis-data");
            assertTrue(AgentLog.messages(app.lines(), "ERROR").isEmpty(), app.output());
            app.kill9();
        }
    }

    @ParameterizedTest
    @MethodSource("io.stasis.agent.testing.Jdks#all")
    void badRequestsAreClearErrorsAndTheApplicationCarriesOn(Jdk jdk, @TempDir Path tmp) throws Exception {
        try (ForkedJvm cli = cli(jdk, "checkpoint", "2147483000").start()) {
            assertEquals(1, cli.awaitExit(TIMEOUT), cli.output());
            assertTrue(cli.output().contains("cannot attach to process 2147483000"), cli.output());
        }
        try (ForkedJvm app = ForkedJvm.on(jdk).classPath(CLASS_PATH).main(ImageApp.class, "100000").start()) {
            app.awaitLineContaining("tick 2 ", TIMEOUT);
            try (ForkedJvm cli = cli(jdk, "checkpoint", Long.toString(app.pid()), "--agent-options", "dir="
                    + tmp.resolve("data") + ",bogus=1").start()) {
                assertEquals(1, cli.awaitExit(TIMEOUT), cli.output());
                assertTrue(cli.output().contains("unknown option 'bogus'"), cli.output());
            }
            assertTrue(app.isAlive(), "the application carries on");
            app.kill9();
        }
    }

    /**
     * Root asks a JVM of another user: the request directory is handed to that user, so its agent
     * can read the request and answer, and the snapshot is written as that user.
     */
    @ParameterizedTest
    @MethodSource("io.stasis.agent.testing.Jdks#all")
    void rootReachesAJvmOfAnotherUser(Jdk jdk) throws Exception {
        OtherUser other = OtherUser.require();
        Path shared = Files.createTempDirectory(Path.of("/tmp"), "stasis-it-shared-");
        try {
            Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxr-xr-x"));
            String classPath = share(CLASS_PATH, shared);
            Path agent = Files.copy(ForkedJvm.agentJar(), shared.resolve("stasis-agent.jar"));
            Path home = other.own(Files.createDirectory(shared.resolve("home"),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))));
            Path data = home.resolve("data");
            try (ForkedJvm app = ForkedJvm.on(jdk).launcher(other.command().toArray(String[]::new))
                    .classPath(classPath).main(ImageApp.class, "100000").start()) {
                app.awaitLineContaining("tick 3 ", TIMEOUT);
                try (ForkedJvm cli = ForkedJvm.on(jdk).jar(agent, "checkpoint", Long.toString(app.pid()),
                        "--agent-options", "dir=" + data + ",on-exit=false", "--reason", "root").start()) {
                    assertEquals(0, cli.awaitExit(TIMEOUT), cli.output() + "\n" + app.output());
                    assertTrue(cli.output().contains("snapshot 1 of process " + app.pid() + " committed (root)"),
                            cli.output());
                }
                assertEquals(other.uid(), Files.getAttribute(data, "unix:uid"), "the snapshot is the application's user's");
                app.kill9();
            }
            try (var left = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
                assertEquals(List.of(), left.filter(p -> p.getFileName().toString().startsWith("stasis-checkpoint-"))
                        .filter(CheckpointCommandIT::ownedByOther).toList(), "request directories left behind");
            }
        } finally {
            FileUtils.deleteDirectory(shared.toFile());
        }
    }

    /** A request directory that is not the JVM's user's own (planted by another user) is refused, unread. */
    @ParameterizedTest
    @MethodSource("io.stasis.agent.testing.Jdks#all")
    void aRequestDirectoryOfAnotherUserIsRefused(Jdk jdk, @TempDir Path tmp) throws Exception {
        OtherUser other = OtherUser.require();
        Path planted = Files.createTempDirectory(Path.of("/tmp"), "stasis-it-planted-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        try {
            Files.writeString(planted.resolve("request.properties"), "reason=planted\nagent-options=dir=" + tmp.resolve("data") + "\n");
            other.own(planted.resolve("request.properties"));
            other.own(planted);
            try (ForkedJvm app = ForkedJvm.on(jdk).classPath(CLASS_PATH).main(ImageApp.class, "100000").start()) {
                app.awaitLineContaining("tick 2 ", TIMEOUT);
                VirtualMachine vm = VirtualMachine.attach(Long.toString(app.pid()));
                try {
                    assertThrows(AgentInitializationException.class,
                            () -> vm.loadAgent(ForkedJvm.agentJar().toString(), "checkpoint=" + planted));
                } finally {
                    vm.detach();
                }
                app.awaitLineContaining("refused the request in " + planted, TIMEOUT);
                assertFalse(Files.exists(planted.resolve("reply.properties")), "no answer written into it");
                assertFalse(Files.exists(tmp.resolve("data")), "no agent started, no snapshot");
                assertTrue(app.isAlive(), "the application carries on");
                app.kill9();
            }
        } finally {
            FileUtils.deleteDirectory(planted.toFile());
        }
    }

    private static boolean ownedByOther(Path p) {
        try {
            return !Integer.valueOf(0).equals(Files.getAttribute(p.resolve("request"), "unix:uid", LinkOption.NOFOLLOW_LINKS));
        } catch (IOException e) {
            return false;
        }
    }

    /** Copies of the class path's entries that every user can read (the originals may sit under root's home). */
    private static String share(String classPath, Path shared) throws IOException {
        List<String> copies = new ArrayList<>();
        String[] entries = classPath.split(File.pathSeparator);
        for (int i = 0; i < entries.length; i++) {
            Path entry = Path.of(entries[i]);
            Path copy = shared.resolve(i + "-" + entry.getFileName());
            if (Files.isDirectory(entry)) {
                FileUtils.copyDirectory(entry.toFile(), copy.toFile());
            } else {
                Files.copy(entry, copy);
            }
            copies.add(copy.toString());
        }
        try (var all = Files.walk(shared)) {
            for (Path p : all.toList()) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
        return String.join(File.pathSeparator, copies);
    }

    private static ForkedJvm.Builder cli(Jdk jdk, String... args) {
        return ForkedJvm.on(jdk).jar(ForkedJvm.agentJar(), args);
    }
}
