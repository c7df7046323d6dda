package io.stasis.crac.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the check beside CRIU's restore covers: the page files, against the manifest, and nothing else. */
class PageCheckTest {

    @Test
    void onlyCriusPageFilesAreLeftForTheCheckBesideTheRestore() {
        assertTrue(PageCheck.holdsPages("pages-1.img"));
        assertTrue(PageCheck.holdsPages("pages-12.img"));
        for (String parsed : List.of("pagemap-4242.img", "core-4242.img", "mm-4242.img", "pages-1.img.0.age",
                "pages-.img", "xpages-1.img", "pages-1.imgx")) {
            assertFalse(PageCheck.holdsPages(parsed), parsed);
        }
    }

    @Test
    void pageFilesAreComparedWithTheManifest(@TempDir Path images) throws Exception {
        byte[] pages = new byte[300_000];
        new Random(3).nextBytes(pages);
        Files.write(images.resolve("pages-1.img"), pages);
        Files.write(images.resolve("pages-2.img"), new byte[] {1, 2, 3});
        Files.write(images.resolve("core-1.img"), new byte[] {4, 5, 6});
        ImageManifest manifest = manifest(images);

        assertEquals(List.of(), check(images, manifest));

        // A core file is not the page check's: checked before CRIU starts, with the others it parses.
        Files.write(images.resolve("core-1.img"), new byte[] {4, 5, 7});
        assertEquals(List.of(), check(images, manifest));

        pages[123_456] ^= 1;
        Files.write(images.resolve("pages-1.img"), pages);
        Files.delete(images.resolve("pages-2.img"));
        assertEquals(List.of("image file pages-1.img is damaged (its checksum differs)", "image file pages-2.img is missing"),
                check(images, manifest));
    }

    private static List<String> check(Path images, ImageManifest manifest) {
        return PageCheck.start(images, manifest).problems();
    }

    private static ImageManifest manifest(Path images) throws Exception {
        List<ImageManifest.ImageFile> files = ImageManifest.filesIn(images, ImageManifest.FORMAT);
        return new ImageManifest(ImageManifest.FORMAT, "now", 1, false, null, null, null, null, null, null,
                files.stream().mapToLong(ImageManifest.ImageFile::bytes).sum(), files, null, null, null, null);
    }
}
