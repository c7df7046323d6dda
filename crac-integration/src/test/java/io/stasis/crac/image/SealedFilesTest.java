package io.stasis.crac.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SealedFilesTest {

    private static final long SEGMENT = 1000;

    @Test
    void largeFilesAreSealedInSegmentsAndOpenedBackWhole(@TempDir Path tmp) throws Exception {
        Path plain = Files.createDirectory(tmp.resolve("plain"));
        byte[] pages = new byte[2500];
        new Random(42).nextBytes(pages);
        Files.write(plain.resolve("pages-1.img"), pages);
        Files.write(plain.resolve("core-1.img"), new byte[] {1, 2, 3});
        Files.write(plain.resolve("empty.img"), new byte[0]);
        ImageManifest manifest = manifest(plain);
        ImageDir dir = new ImageDir(Files.createDirectory(tmp.resolve("image")));

        SealedFiles.seal(manifest, plain, dir, new Base64Cipher());
        try (var stored = Files.list(dir.path())) {
            assertEquals(List.of("core-1.img.b64", "empty.img.b64", "pages-1.img.0.b64", "pages-1.img.1.b64",
                    "pages-1.img.2.b64"), stored.map(p -> p.getFileName().toString()).sorted().toList());
        }
        Path opened = Files.createDirectory(tmp.resolve("opened"));
        SealedFiles.open(manifest, dir, opened, new Base64Cipher());
        assertArrayEquals(pages, Files.readAllBytes(opened.resolve("pages-1.img")));
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(opened.resolve("core-1.img")));
        assertEquals(0, Files.size(opened.resolve("empty.img")));
        assertEquals(manifest.files(), ImageManifest.filesIn(opened, ImageManifest.FORMAT), "sizes and checksums as described");
    }

    @Test
    void aDamagedSegmentIsNamed(@TempDir Path tmp) throws Exception {
        Path plain = Files.createDirectory(tmp.resolve("plain"));
        Files.write(plain.resolve("pages-1.img"), new byte[2500]);
        ImageManifest manifest = manifest(plain);
        ImageDir dir = new ImageDir(Files.createDirectory(tmp.resolve("image")));
        SealedFiles.seal(manifest, plain, dir, new Base64Cipher());
        Files.writeString(dir.path().resolve("pages-1.img.1.b64"), "*not base64*");

        Exception e = assertThrows(Exception.class,
                () -> SealedFiles.open(manifest, dir, Files.createDirectory(tmp.resolve("opened")), new Base64Cipher()));
        assertTrue(e.getMessage().contains("image file pages-1.img.1.b64 cannot be decrypted"), e.getMessage());
    }

    private static ImageManifest manifest(Path plain) throws Exception {
        List<ImageManifest.ImageFile> files = ImageManifest.filesIn(plain, ImageManifest.FORMAT);
        return new ImageManifest(ImageManifest.FORMAT, "now", 1, false, null, null, null, null, null, null,
                files.stream().mapToLong(ImageManifest.ImageFile::bytes).sum(), files, "b64", SEGMENT, null, null);
    }
}
