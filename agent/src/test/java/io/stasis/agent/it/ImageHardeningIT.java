package io.stasis.agent.it;

import static io.stasis.agent.it.ImageIT.TIMEOUT;
import static io.stasis.agent.it.ImageIT.app;
import static io.stasis.agent.it.ImageIT.cli;
import static io.stasis.agent.it.ImageIT.count;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stasis.agent.testing.ForkedJvm;
import io.stasis.agent.testing.Jdk;
import io.stasis.agent.testing.Jdks;
import io.stasis.agent.testing.OtherUser;
import io.stasis.forensics.AgeKeys;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.commons.io.FileUtils;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What another local user, a forged image or a dying dumper can do to {@code image} and
 * {@code restore-image}: nothing is run from an image the operator's key does not authenticate,
 * the fallback runs as the imaged user, nothing outside Stasis's own directories is deleted, and the
 * imaged JVM never waits forever. A fake CRIU stands in where the real one cannot fail on cue.
 */
class ImageHardeningIT {

    /** Entries planted in /dev/shm: each a chance for the race the old sweep lost. */
    private static final int PLANTED = 40;
    /** Never a process: ids stay below the kernel's pid_max. So the fallback is what a forged image gets. */
    private static final long NO_PROCESS = noProcess();

    @BeforeAll
    static void criuIsInstalled() throws Exception {
        ImageIT.criuIsInstalled();
    }

    @Test
    void theFallbackRunsOnlyFromAnAuthenticManifestAndAsTheImagedUser(@TempDir Path tmp) throws Exception {
        Jdk jdk = Jdks.current();
        OtherUser other = OtherUser.require();
        // Under /tmp, not the test's 0700 directory, so that the other user can reach its part.
        Path base = Files.createTempDirectory(Path.of("/tmp"), "stasis-image-it-");
        try {
            Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path key = key(base.resolve("root.key"));
            Path work = other.directory(base.resolve("work"));
            Path image = Files.createDirectory(base.resolve("image"),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));

            // Genuine (authenticated by the operator's key), of a process stasis-other ran: its
            // fallback runs as stasis-other, not as root.
            manifest(image, "id -u > uid.txt", work, other.uid(), other.gid());
            ImageIT.authenticate(image, key);
            try (ForkedJvm genuine = cli(jdk, "restore-image", image.toString(), "--auth-key", key.toString()).start()) {
                assertEquals(0, genuine.awaitExit(TIMEOUT), genuine.output());
                assertTrue(genuine.output().contains("starting the application normally"), genuine.output());
            }
            assertEquals(Integer.toString(other.uid()), Files.readString(work.resolve("uid.txt")).strip());

            // Forged: changed after it was authenticated, authenticated by another key, or not at all.
            manifest(image, "id -u > forged.txt", work, 0, 0);
            Path otherKey = key(base.resolve("other.key"));
            for (Path by : List.of(key, otherKey)) {
                if (by == otherKey) {
                    ImageIT.authenticate(image, otherKey);
                }
                try (ForkedJvm forged = cli(jdk, "restore-image", image.toString(), "--auth-key", key.toString())
                        .start()) {
                    assertEquals(1, forged.awaitExit(TIMEOUT), forged.output());
                    assertTrue(forged.output().contains("is not authenticated by the key " + key), forged.output());
                }
            }
            Files.delete(image.resolve("stasis-image.json.mac"));
            try (ForkedJvm unsigned = cli(jdk, "restore-image", image.toString(), "--auth-key", key.toString()).start()) {
                assertEquals(1, unsigned.awaitExit(TIMEOUT), unsigned.output());
                assertTrue(unsigned.output().contains("cannot be authenticated"), unsigned.output());
            }
            assertFalse(Files.exists(work.resolve("forged.txt")), "nothing ran");

            // An image directory another user owns (and so could have filled) is refused.
            ImageIT.authenticate(image, key);
            other.own(image);
            try (ForkedJvm refused = cli(jdk, "restore-image", image.toString(), "--auth-key", key.toString()).start()) {
                assertEquals(1, refused.awaitExit(TIMEOUT), refused.output());
                assertTrue(refused.output().contains("belongs to uid " + other.uid()), refused.output());
            }

            // A user who is not root starts no application as root, even from a genuine image of its own.
            Path otherKeyFile = other.own(key(base.resolve("stasis-other.key")));
            ImageIT.authenticate(image, otherKeyFile);
            other.own(image.resolve("stasis-image.json"));
            other.own(image.resolve("stasis-image.json.mac"));
            try (ForkedJvm asOther = cli(jdk, "restore-image", image.toString(), "--auth-key", otherKeyFile.toString())
                    .launcher(other.command().toArray(String[]::new)).start()) {
                assertEquals(1, asOther.awaitExit(TIMEOUT), asOther.output());
                assertTrue(asOther.output().contains("refusing to start the application as another user"),
                        asOther.output());
            }
            assertFalse(Files.exists(work.resolve("forged.txt")), "nothing ran");
        } finally {
            FileUtils.deleteDirectory(base.toFile());
        }
    }

    @Test
    void rootImagesAnotherUsersJvmIntoADirectoryThatUserCannotChange(@TempDir Path tmp) throws Exception {
        Jdk jdk = Jdks.current();
        OtherUser other = OtherUser.require();
        Path base = Files.createTempDirectory(Path.of("/tmp"), "stasis-image-it-");
        long pid = -1;
        try {
            Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path work = other.directory(base.resolve("work"));
            // The class path copied where that user can read it (the local repository is root's).
            List<String> classPath = new ArrayList<>();
            for (Class<?> type : List.of(io.stasis.agent.it.apps.ImageApp.class, io.stasis.api.Stasis.class,
                    org.crac.Core.class)) {
                Path from = Path.of(ForkedJvm.locationOf(type));
                Path to = base.resolve("cp-" + classPath.size());
                if (Files.isDirectory(from)) {
                    FileUtils.copyDirectory(from.toFile(), to.toFile());
                } else {
                    Files.copy(from, to);
                }
                classPath.add(to.toString());
            }
            Path image = work.resolve("image");
            // 400 ticks (8 s): time for a slow machine's CLI to start and attach before the application ends.
            List<String> launcher = new ArrayList<>(other.command());
            launcher.add("setsid");
            // CRIU reads another user's limits with CAP_SYS_RESOURCE, which some containers withhold:
            // then the dump fails, and the application must hear so and carry on.
            boolean criuCanDumpOthers = (capabilities() & (1L << CAP_SYS_RESOURCE)) != 0;
            try (ForkedJvm app = ForkedJvm.on(jdk).launcher(launcher.toArray(String[]::new)).jvmOption("-XX:-UsePerfData")
                    .agent("dir=" + work.resolve("data")).classPath(String.join(":", classPath))
                    .main(io.stasis.agent.it.apps.ImageApp.class, "400").directory(work).start()) {
                pid = app.pid();
                app.awaitLineContaining("tick 10 ", TIMEOUT);
                try (ForkedJvm cli = cli(jdk, "image", Long.toString(pid), "--dir", image.toString()).start()) {
                    assertEquals(criuCanDumpOthers ? 0 : 1, cli.awaitExit(TIMEOUT), cli.output() + app.output());
                }
                assertTrue(app.output().contains("resource beforeCheckpoint #1"), app.output());
                if (!criuCanDumpOthers) {
                    // The JVM, as that user, read the dumper's claim and result in root's directory.
                    app.awaitLineContaining("resource afterRestore #1", TIMEOUT);
                    app.awaitLineContaining("done 400", TIMEOUT);
                    assertTrue(app.output().contains("criu dump failed"), app.output());
                }
                app.awaitExit(TIMEOUT);
            }
            assertEquals(0, (Integer) Files.getAttribute(image, "unix:uid"), "root's now");
            assertEquals("rwx--x--x", PosixFilePermissions.toString(Files.getPosixFilePermissions(image)),
                    "that user may pass through, to read the result, and no more");
            try (var files = Files.list(image)) {
                for (Path file : files.filter(p -> p.toString().endsWith(".img")).toList()) {
                    assertTrue(criuCanDumpOthers, "a failed dump leaves no image file: " + file);
                    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)), file.toString());
                }
            }
            if (criuCanDumpOthers) {
                try (ForkedJvm restored = cli(jdk, "restore-image", image.toString(), "--no-fallback").start()) {
                    restored.awaitLineContaining("tick ", TIMEOUT);
                    String status = Files.readString(Path.of("/proc/" + pid + "/status"));
                    assertTrue(status.contains("\nUid:\t" + other.uid() + "\t"), "restored as that user: " + status);
                    assertEquals(0, restored.awaitExit(TIMEOUT), restored.output());
                    assertTrue(restored.output().contains("done 400"), restored.output());
                }
            }
        } finally {
            if (pid > 0) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
            FileUtils.deleteDirectory(base.toFile());
        }
    }

    @Test
    void aDumperThatDiesAfterItsClaimDoesNotFreezeTheProcess(@TempDir Path tmp) throws Exception {
        Jdk jdk = Jdks.current();
        Path criu = fakeCriu(tmp, "exec sleep 300");
        Path image = tmp.resolve("image");
        try (ForkedJvm app = app(jdk, tmp, "100000").start()) {
            app.awaitLineContaining("tick 5 ", TIMEOUT);
            ForkedJvm dumper = cli(jdk, "image", Long.toString(app.pid()), "--dir", image.toString(), "--leave-running")
                    .launcher("env", "STASIS_CRIU=" + criu).start();
            awaitFile(image.resolve(".stasis-claim"), dumper);
            app.awaitLineContaining("resource beforeCheckpoint #1", TIMEOUT);
            List<ProcessHandle> criuRuns = ProcessHandle.of(dumper.pid()).orElseThrow().descendants().toList();
            dumper.kill9();
            criuRuns.forEach(ProcessHandle::destroyForcibly);

            // Under the old wait the gate stayed closed for good: no afterRestore, no tick.
            String reopened = app.awaitLineContaining("resource afterRestore #1", Duration.ofSeconds(20));
            long frozenAt = Long.parseLong(reopened.substring(reopened.lastIndexOf(' ') + 1));
            app.awaitLine(l -> l.startsWith("tick ") && ImageIT.tickOf(l) > frozenAt + 3, TIMEOUT);
            assertTrue(app.output().contains("ended without saying how the dump went"), app.output());
            assertEquals(1, count(app.lines(), "resource afterRestore #"), app.output());
        }
    }

    @Test
    void aFailedDumpLeavesNoPlainPagesBehind(@TempDir Path tmp) throws Exception {
        Jdk jdk = Jdks.current();
        Path criu = fakeCriu(tmp, """
                while [ $# -gt 0 ]; do [ "$1" = "--images-dir" ] && dir="$2"; shift; done
                echo "the process's memory" > "$dir/pages-1.img"
                exit 1""");
        Path image = tmp.resolve("image");
        try (ForkedJvm app = app(jdk, tmp, "100000").start()) {
            app.awaitLineContaining("tick 5 ", TIMEOUT);
            try (ForkedJvm dumper = cli(jdk, "image", Long.toString(app.pid()), "--dir", image.toString(),
                    "--leave-running").launcher("env", "STASIS_CRIU=" + criu).start()) {
                assertEquals(1, dumper.awaitExit(TIMEOUT), dumper.output());
                assertTrue(dumper.output().contains("criu dump failed (exit 1)"), dumper.output());
            }
            app.awaitLineContaining("resource afterRestore #1", TIMEOUT);
            try (var files = Files.list(image)) {
                List<Path> left = files.filter(p -> p.toString().endsWith(".img")).toList();
                assertEquals(List.of(), left, "no plain image file is left");
            }
            ImageIT.assertPrivate(image);
        }
    }

    @Test
    void nothingAnotherUserPlantsInDevShmIsDeletedEvenWhileItIsSwappedForALink(@TempDir Path tmp) throws Exception {
        Jdk jdk = Jdks.current();
        OtherUser other = OtherUser.require();
        // The root-owned directory the attacker cannot write, and would have root empty.
        Path victim = Files.createDirectory(tmp.resolve("victim"));
        for (int i = 0; i < 2000; i++) {
            Files.writeString(victim.resolve("file-" + i), "keep");
        }
        Path base = Files.createTempDirectory(Path.of("/tmp"), "stasis-swap-");
        String tag = UUID.randomUUID().toString();
        // Links to the victim, kept apart (in the attacker's own directory), each swapped with the
        // child directory "d" of an entry named like an abandoned staging directory.
        Path links = other.directory(Path.of("/dev/shm/stasis-links-" + tag));
        List<Path> planted = new ArrayList<>();
        List<String> swapArguments = new ArrayList<>();
        Process swapper = null;
        try {
            Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path swap = compileSwapper(base);
            swapArguments.addAll(List.of(swap.toString(), "120"));
            for (int i = 0; i < PLANTED; i++) {
                Path entry = other.directory(Path.of("/dev/shm/stasis-image-" + (999_900 + i) + "-" + tag));
                planted.add(entry);
                other.directory(entry.resolve("d"));
                other.own(Files.writeString(entry.resolve("d").resolve("x"), "x"));
                Path link = other.own(Files.createSymbolicLink(links.resolve("l" + i), victim));
                swapArguments.addAll(List.of(entry.resolve("d").toString(), link.toString()));
            }
            // renameat2(RENAME_EXCHANGE) in a loop, as the other user: each "d" is a directory one
            // moment and a link to the victim the next.
            swapper = new ProcessBuilder(other.command(swapArguments.toArray(String[]::new))).inheritIO().start();

            String recipient = AgeKeys.generate().recipient();
            List<String> failed = new ArrayList<>();
            try (ForkedJvm app = app(jdk, tmp, "100000").start()) {
                app.awaitLineContaining("tick 5 ", TIMEOUT);
                for (int i = 0; i < 2; i++) {
                    // Each encrypted image stages in /dev/shm, where the old code swept what others planted.
                    try (ForkedJvm image = cli(jdk, "image", Long.toString(app.pid()), "--dir",
                            tmp.resolve("image-" + i).toString(), "--leave-running", "--recipient", recipient).start()) {
                        if (image.awaitExit(TIMEOUT) != 0) {
                            failed.add(image.output());
                        }
                    }
                }
            }
            assertTrue(swapper.isAlive(), "the swapper ran throughout");
            try (var left = Files.list(victim)) {
                assertEquals(2000, left.count(), "nothing in the victim directory was deleted");
            }
            assertEquals(List.of(), failed, "what others plant in /dev/shm stops no image");
            for (Path entry : planted) {
                assertTrue(Files.exists(entry, LinkOption.NOFOLLOW_LINKS), "another user's entry is left alone");
            }
        } finally {
            if (swapper != null) {
                swapper.destroyForcibly();
                swapper.waitFor(10, TimeUnit.SECONDS);
            }
            for (Path entry : planted) {
                if (Files.isSymbolicLink(entry.resolve("d"))) {
                    Files.delete(entry.resolve("d")); // never through it: it points at the victim
                }
                FileUtils.deleteDirectory(entry.toFile());
            }
            try (var left = Files.list(links)) {
                for (Path link : left.toList()) {
                    Files.deleteIfExists(link); // a link, or a directory swapped in: not through it
                }
            } catch (java.io.IOException e) {
                // a directory with its file: removed below
            }
            FileUtils.deleteDirectory(links.toFile());
            FileUtils.deleteDirectory(base.toFile());
        }
    }

    private static final int CAP_SYS_RESOURCE = 24;

    /** This process's effective capabilities. */
    private static long capabilities() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("CapEff:")) {
                return Long.parseUnsignedLong(line.substring(7).strip(), 16);
            }
        }
        return 0;
    }

    /** A CRIU that answers {@code --version} like 4.1 and otherwise runs {@code script}. */
    private static Path fakeCriu(Path tmp, String script) throws Exception {
        Path criu = tmp.resolve("criu");
        Files.writeString(criu, "#!/bin/sh\nif [ \"$1\" = \"--version\" ]; then echo \"Version: 4.1\"; exit 0; fi\n"
                + script + "\n");
        Files.setPosixFilePermissions(criu, PosixFilePermissions.fromString("rwx------"));
        return criu;
    }

    private static Path compileSwapper(Path dir) throws Exception {
        Path source = Files.writeString(dir.resolve("swap.c"), """
                #define _GNU_SOURCE
                #include <fcntl.h>
                #include <stdlib.h>
                #include <sys/syscall.h>
                #include <time.h>
                #include <unistd.h>
                #ifndef RENAME_EXCHANGE
                #define RENAME_EXCHANGE (1 << 1)
                #endif
                /* swap SECONDS A1 B1 A2 B2 ...: exchanges each pair over and over */
                int main(int argc, char **argv) {
                    time_t end = time(NULL) + atoi(argv[1]);
                    while (time(NULL) < end) {
                        for (int i = 2; i + 1 < argc; i += 2) {
                            syscall(SYS_renameat2, AT_FDCWD, argv[i], AT_FDCWD, argv[i + 1], RENAME_EXCHANGE);
                        }
                    }
                    return 0;
                }
                """);
        Path binary = dir.resolve("swap");
        Process gcc = new ProcessBuilder("gcc", "-O2", "-o", binary.toString(), source.toString()).inheritIO().start();
        assertTrue(gcc.waitFor(60, TimeUnit.SECONDS) && gcc.exitValue() == 0, "gcc compiled the swapper");
        Files.setPosixFilePermissions(binary, PosixFilePermissions.fromString("rwxr-xr-x"));
        return binary;
    }

    /** A new authentication key, as {@code image} makes one. */
    private static Path key(Path file) throws Exception {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Files.write(file, key);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    /**
     * An image manifest whose checks fail (PID 1 is busy, the JDK is not there), so that
     * restore-image falls back to {@code sh -c command} in {@code work} as {@code uid}.
     */
    private static void manifest(Path image, String command, Path work, int uid, int gid) throws Exception {
        Files.deleteIfExists(image.resolve("stasis-image.json"));
        Files.writeString(image.resolve("stasis-image.json"), """
                {"format": 3, "created": "2026-12-04T00:00:00Z", "pid": %d, "leftRunning": false,
                 "application": {"commandLine": ["/bin/sh", "-c", "%s"], "workingDirectory": "%s",
                                 "user": {"uid": %d, "gid": %d, "groups": []}},
                 "standardStreams": ["", "", ""],
                 "jdk": {"home": "/none", "version": "0", "libjvm": "/none/lib/server/libjvm.so", "libjvmCrc32c": "0"},
                 "cpu": {"model": "", "flags": []}, "kernel": "", "criu": "4.1", "bytes": 0, "files": []}
                """.formatted(NO_PROCESS, command, work, uid, gid));
        Files.setPosixFilePermissions(image.resolve("stasis-image.json"), PosixFilePermissions.fromString("rw-------"));
    }

    private static long noProcess() {
        try {
            // readAllLines, not readString: a sysctl file of size 0 reads as its first byte through readString on JDK 17
            return Long.parseLong(Files.readAllLines(Path.of("/proc/sys/kernel/pid_max")).get(0).strip());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Waits for {@code file} while {@code process} lives. */
    private static void awaitFile(Path file, ForkedJvm process) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!Files.exists(file)) {
            assertTrue(process.isAlive() && System.nanoTime() - deadline < 0, file + " did not appear:\n" + process.output());
            Thread.sleep(5);
        }
    }
}
