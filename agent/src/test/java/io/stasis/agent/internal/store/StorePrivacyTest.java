package io.stasis.agent.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stasis.agent.internal.restore.SnapshotSelector;
import io.stasis.agent.testing.OtherUser;
import io.stasis.files.UnsafePathException;
import io.stasis.kryo.AllowedClasses;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store is its user's alone: every directory {@code 0700}, every file {@code 0600}; a
 * directory, link or lock file another user planted is refused; a link at a temporary name is
 * never written through; nobody else can hold the writer's lock. Attacks are made by a real second
 * local user ({@link OtherUser}).
 */
class StorePrivacyTest {

    @TempDir
    Path root;

    private static final String PRIVATE_DIR = "rwx------";
    private static final String PRIVATE_FILE = "rw-------";

    @Test
    void everyDirectoryIs0700AndEveryFile0600() throws Exception {
        Path dir = root.resolve("store");
        try (FileSnapshotStore store = FileSnapshotStore.openForWriting(dir)) {
            store.write(FileSnapshotStoreTest.big(1, FileSnapshotStoreTest.state(200 << 10, 1)));
            store.write(FileSnapshotStoreTest.big(2, FileSnapshotStoreTest.state(200 << 10, 2)));
            assertModes(dir);
        }
    }

    @Test
    void aStoreThatAnOlderVersionLeftReadableIsTightenedOnOpen() throws Exception {
        Path dir = withOneSnapshot(root.resolve("store"));
        loosen(dir);
        try (FileSnapshotStore reader = FileSnapshotStore.openForReading(dir)) {
            // A reader leaves .lock to the writer, which replaces it (a handle opened on it before must not lock it).
            Files.setPosixFilePermissions(dir.resolve(".lock"), PosixFilePermissions.fromString(PRIVATE_FILE));
            assertModes(dir);
            assertEquals(1, reader.read(reader.list().get(0)).sequence());
        }
        loosen(dir);
        try (FileSnapshotStore writer = FileSnapshotStore.openForWriting(dir)) {
            assertModes(dir);
        }
    }

    /** A live writer's retention removes files while another process opens the store: that open does not fail on them. */
    @Test
    void filesRemovedWhileTheStoreIsTightenedAreSkipped() throws Exception {
        Path dir = withOneSnapshot(root.resolve("store"));
        for (int round = 0; round < 20; round++) {
            List<Path> packs = new java.util.ArrayList<>();
            for (int i = 0; i < 200; i++) {
                Path pack = dir.resolve("packs").resolve(String.format("pack-%016d.pack", 1000 + i));
                Files.write(pack, new byte[1]);
                packs.add(pack);
            }
            Thread retention = new Thread(() -> packs.forEach(p -> p.toFile().delete()));
            retention.start();
            try (FileSnapshotStore reader = FileSnapshotStore.openForReading(dir)) {
                assertEquals(1, reader.list().size());
            } finally {
                retention.join();
            }
        }
    }

    @Test
    void aDirectoryOwnedByAnotherUserIsRefused() throws Exception {
        OtherUser other = OtherUser.require();
        Path dir = other.directory(root.resolve("theirs"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        UnsafePathException e = assertThrows(UnsafePathException.class, () -> FileSnapshotStore.openForWriting(dir));
        assertTrue(e.getMessage().contains(dir.toString()) && e.getMessage().contains("belongs to uid " + other.uid()),
                e.getMessage());
        assertThrows(UnsafePathException.class, () -> FileSnapshotStore.openForReading(dir));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(0, files.count(), "nothing was created in it");
        }
    }

    @Test
    void aSymlinkedDirPlantedByAnotherUserIsRefused() throws Exception {
        OtherUser other = OtherUser.require();
        Path target = withOneSnapshot(root.resolve("victim"));
        Path link = Files.createSymbolicLink(root.resolve("store"), target);
        other.own(link);
        for (boolean writing : new boolean[] {true, false}) {
            UnsafePathException e = assertThrows(UnsafePathException.class, () -> (writing
                    ? FileSnapshotStore.openForWriting(link) : FileSnapshotStore.openForReading(link)).close());
            assertTrue(e.getMessage().contains(link + " is a symbolic link owned by uid " + other.uid()), e.getMessage());
        }
    }

    @Test
    void aDirectoryOthersCanWriteIsRefused() throws Exception {
        Path dir = Files.createDirectory(root.resolve("store"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        UnsafePathException e = assertThrows(UnsafePathException.class, () -> FileSnapshotStore.openForWriting(dir));
        assertTrue(e.getMessage().contains("chmod go-w " + dir), e.getMessage());
    }

    @Test
    void aLockFilePlantedAsALinkByAnotherUserIsRefusedAndItsTargetUntouched() throws Exception {
        OtherUser other = OtherUser.require();
        Path dir = root.resolve("store");
        FileSnapshotStore.openForWriting(dir).close();
        Path victim = Files.writeString(root.resolve("victim"), "root's own file");
        Files.setPosixFilePermissions(victim, PosixFilePermissions.fromString(PRIVATE_FILE));
        Files.delete(dir.resolve(".lock"));
        other.own(Files.createSymbolicLink(dir.resolve(".lock"), victim));
        UnsafePathException e = assertThrows(UnsafePathException.class, () -> FileSnapshotStore.openForWriting(dir));
        assertTrue(e.getMessage().contains(".lock is a symbolic link"), e.getMessage());
        assertEquals("root's own file", Files.readString(victim));
        assertEquals(PRIVATE_FILE, PosixFilePermissions.toString(Files.getPosixFilePermissions(victim)));
    }

    @Test
    void aLockFileOfAnotherUserIsRefused() throws Exception {
        OtherUser other = OtherUser.require();
        Path dir = root.resolve("store");
        FileSnapshotStore.openForWriting(dir).close();
        other.own(dir.resolve(".lock"));
        UnsafePathException e = assertThrows(UnsafePathException.class, () -> FileSnapshotStore.openForWriting(dir));
        assertTrue(e.getMessage().contains(".lock belongs to uid " + other.uid()), e.getMessage());
    }

    /** The write of finding 8: a link at the temporary name of the next pack and manifest. */
    @Test
    void aLinkAtATemporaryNameIsNeverWrittenThrough() throws Exception {
        Path dir = root.resolve("store");
        Path victim = Files.writeString(root.resolve("victim"), "root's own file");
        try (FileSnapshotStore store = FileSnapshotStore.openForWriting(dir)) {
            store.write(FileSnapshotStoreTest.snapshot(1));
            Files.createSymbolicLink(dir.resolve("packs/.pack-0000000000000002.pack.tmp"), victim);
            Files.createSymbolicLink(dir.resolve("manifests/.snapshot-0000000000000002.json.tmp"), victim);
            store.write(FileSnapshotStoreTest.snapshot(2));
            assertEquals(2, store.read(store.list().get(0)).sequence());
        }
        assertEquals("root's own file", Files.readString(victim));
        for (String published : List.of("packs/pack-0000000000000002.pack", "manifests/snapshot-0000000000000002.json")) {
            assertFalse(Files.isSymbolicLink(dir.resolve(published)), published);
            assertTrue(Files.isRegularFile(dir.resolve(published), LinkOption.NOFOLLOW_LINKS), published);
        }
    }

    @Test
    void aManifestOrPackThatIsALinkIsDamagedAndNeverFollowed() throws Exception {
        Path dir = withOneSnapshot(root.resolve("store"));
        try (FileSnapshotStore store = FileSnapshotStore.openForWriting(dir)) {
            store.write(FileSnapshotStoreTest.snapshot(2));
        }
        Path elsewhere = Files.createDirectory(root.resolve("elsewhere"));
        for (String file : List.of("manifests/snapshot-0000000000000002.json", "packs/pack-0000000000000002.pack")) {
            Path moved = Files.move(dir.resolve(file), elsewhere.resolve(Path.of(file).getFileName()));
            Files.createSymbolicLink(dir.resolve(file), moved);
            try (FileSnapshotStore store = FileSnapshotStore.openForReading(dir)) {
                CorruptSnapshotException e = assertThrows(CorruptSnapshotException.class,
                        () -> store.read(store.list().get(0)));
                assertTrue(e.getMessage().contains(file + " is a symbolic link"), e.getMessage());
                assertEquals(1, SnapshotSelector.select(store, "latest", AllowedClasses.jdk()).orElseThrow()
                        .snapshot().sequence());
            }
            Files.delete(dir.resolve(file));
            Files.move(moved, dir.resolve(file));
        }
    }

    /**
     * Finding 9: on the layout of older versions ({@code .lock} {@code 0644} in a {@code 0755}
     * directory), another user took a shared lock through a read-only handle (the same
     * {@code fcntl} lock the writer takes; {@code flock(1)} takes another kind, which never
     * conflicted) and stopped every checkpoint. Now the writer replaces such a lock file, and
     * nobody else can open the new one.
     */
    @Test
    void anotherUsersSharedLockNoLongerStopsCheckpoints() throws Exception {
        OtherUser other = OtherUser.require();
        Path dir = withOneSnapshot(root.resolve("store"));
        loosen(dir);
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path lock = dir.resolve(".lock");
        Path holder = Files.writeString(root.resolve("LockHolder.java"), LOCK_HOLDER);
        Files.setPosixFilePermissions(holder, PosixFilePermissions.fromString("rw-r--r--"));
        String java = io.stasis.agent.testing.Jdks.current().java().toString();
        Process holding = new ProcessBuilder(other.command(java, holder.toString(), lock.toString(), "hold"))
                .redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(holding.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("held", out.readLine(), "the other user holds a shared lock on the old lock file");
            try (FileSnapshotStore store = FileSnapshotStore.openForWriting(dir)) {
                store.write(FileSnapshotStoreTest.snapshot(2));
                assertModes(dir);
                assertNotEquals(0, other.run(java, holder.toString(), lock.toString(), "open"),
                        "the other user cannot open the new lock file");
            }
        } finally {
            holding.destroyForcibly();
            holding.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Run as the other user (a single-file program): opens a file read-only and holds a shared lock on it. */
    private static final String LOCK_HOLDER = """
            import java.nio.channels.FileChannel;
            import java.nio.file.Path;
            import java.nio.file.StandardOpenOption;

            public class LockHolder {
                public static void main(String[] args) throws Exception {
                    try (FileChannel channel = FileChannel.open(Path.of(args[0]), StandardOpenOption.READ)) {
                        if (args[1].equals("open")) {
                            return;
                        }
                        if (channel.tryLock(0, Long.MAX_VALUE, true) == null) {
                            System.exit(3);
                        }
                        System.out.println("held");
                        System.out.flush();
                        Thread.sleep(120_000);
                    }
                }
            }
            """;

    private static Path withOneSnapshot(Path dir) throws IOException {
        try (FileSnapshotStore store = FileSnapshotStore.openForWriting(dir)) {
            store.write(FileSnapshotStoreTest.snapshot(1));
        }
        return dir;
    }

    /** Makes a store look as older versions left it: directories 0755, files 0644. */
    private static void loosen(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path path : all.toList()) {
                Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(
                        Files.isDirectory(path) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
    }

    private static void assertModes(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path path : all.toList()) {
                String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
                assertEquals(Files.isDirectory(path) ? PRIVATE_DIR : PRIVATE_FILE, mode, path.toString());
            }
        }
    }
}
