package io.stasis.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrivateFilesTest {

    @TempDir
    Path tmp;

    @Test
    void newDirectoriesAndFilesAreOwnerOnly() throws IOException {
        Path dir = PrivateFiles.directory(tmp.resolve("a/b/state"));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        try (FileChannel ignored = PrivateFiles.createFile(dir.resolve("f"))) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("f"))));
        }
    }

    @Test
    void createFileNeverWritesThroughALink() throws IOException {
        Path victim = Files.writeString(tmp.resolve("victim"), "keep");
        Path link = Files.createSymbolicLink(tmp.resolve("planted.tmp"), victim);
        assertThrows(FileAlreadyExistsException.class, () -> PrivateFiles.createFile(link).close());
        Path dangling = Files.createSymbolicLink(tmp.resolve("dangling.tmp"), tmp.resolve("nowhere"));
        assertThrows(FileAlreadyExistsException.class, () -> PrivateFiles.createFile(dangling).close());
        assertFalse(Files.exists(tmp.resolve("nowhere")));
        assertEquals("keep", Files.readString(victim));
    }

    @Test
    void directoryWritableByOthersIsRefusedWithTheFix() throws IOException {
        Path shared = Files.createDirectory(tmp.resolve("shared"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        UnsafePathException e = assertThrows(UnsafePathException.class, () -> PrivateFiles.directory(shared));
        assertTrue(e.getMessage().contains("chmod go-w " + shared), e.getMessage());
    }

    @Test
    void existingPrivateDirectoryAndOwnLinkAreAccepted() throws IOException {
        Path real = PrivateFiles.directory(tmp.resolve("real"));
        Path link = Files.createSymbolicLink(tmp.resolve("link"), real);
        assertEquals(link, PrivateFiles.directory(link));
        assertThrows(UnsafePathException.class, () -> PrivateFiles.checkFile(link));
    }

    @Test
    void aFileIsNotADirectory() throws IOException {
        Path file = Files.writeString(tmp.resolve("afile"), "x");
        UnsafePathException e = assertThrows(UnsafePathException.class, () -> PrivateFiles.directory(file));
        assertTrue(e.getMessage().contains("not a directory"), e.getMessage());
    }

    @Test
    void directoriesAndLinksOfAnotherUserAreRefused() throws IOException {
        assumeRoot();
        UserPrincipal nobody = tmp.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
        Path theirs = Files.createDirectory(tmp.resolve("theirs"));
        Files.setOwner(theirs, nobody);
        UnsafePathException e = assertThrows(UnsafePathException.class, () -> PrivateFiles.directory(theirs));
        assertTrue(e.getMessage().contains("belongs to uid"), e.getMessage());

        Path mine = PrivateFiles.directory(tmp.resolve("mine"));
        Path plantedLink = Files.createSymbolicLink(tmp.resolve("planted"), mine);
        Files.getFileAttributeView(plantedLink, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).setOwner(nobody);
        e = assertThrows(UnsafePathException.class, () -> PrivateFiles.directory(plantedLink));
        assertTrue(e.getMessage().contains("symbolic link owned by uid"), e.getMessage());

        Path theirFile = Files.writeString(mine.resolve(".lock"), "");
        Files.setOwner(theirFile, nobody);
        assertThrows(UnsafePathException.class, () -> PrivateFiles.checkFile(theirFile));
    }

    @Test
    void deleteTreeRemovesLinksNotWhatTheyPointTo() throws IOException {
        Path outside = Files.createDirectory(tmp.resolve("outside"));
        Files.writeString(outside.resolve("precious"), "keep");
        Path tree = Files.createDirectories(tmp.resolve("tree/sub/deeper"));
        Files.writeString(tree.resolve("file"), "x");
        Files.createSymbolicLink(tmp.resolve("tree/sub/link-to-dir"), outside);
        Files.createSymbolicLink(tmp.resolve("tree/link-to-file"), outside.resolve("precious"));

        PrivateFiles.deleteTree(tmp.resolve("tree"));

        assertFalse(Files.exists(tmp.resolve("tree"), LinkOption.NOFOLLOW_LINKS));
        assertEquals("keep", Files.readString(outside.resolve("precious")));
        PrivateFiles.deleteTree(tmp.resolve("tree")); // missing: nothing to do
    }

    @Test
    void deleteTreeOfALinkRemovesOnlyTheLink() throws IOException {
        Path outside = Files.createDirectory(tmp.resolve("outside"));
        Files.writeString(outside.resolve("precious"), "keep");
        Path link = Files.createSymbolicLink(tmp.resolve("staging"), outside);
        PrivateFiles.deleteTree(link);
        assertFalse(Files.exists(link, LinkOption.NOFOLLOW_LINKS));
        assertEquals("keep", Files.readString(outside.resolve("precious")));
    }

    private static void assumeRoot() {
        boolean root = PrivateFiles.uid() == 0;
        if (!root && "true".equals(System.getenv("CI"))) {
            throw new AssertionError("CI=true and the tests do not run as root: ownership checks need a second uid");
        }
        Assumptions.assumeTrue(root, "ownership checks need root to give files to a second uid");
    }
}
