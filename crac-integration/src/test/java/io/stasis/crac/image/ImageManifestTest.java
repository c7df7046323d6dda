package io.stasis.crac.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageManifestTest {

    private static ImageManifest manifest(String encryption) {
        return new ImageManifest(encryption == null ? 1 : 2, "2026-11-23T16:00:00Z", 4242, false,
                new ImageManifest.Application(List.of("java", "-Dsecret=hunter2", "-jar", "app.jar"), "/srv/app"),
                List.of("/dev/null", "pipe:[123]", "pipe:[123]"),
                new ImageManifest.Jdk("/usr/lib/jvm/17", "17.0.15+6", "/usr/lib/jvm/17/lib/server/libjvm.so", "0badcafe"),
                new ImageManifest.Cpu("Some CPU", List.of("avx", "avx2", "sse4_2")), "6.18.0", "4.1", 3072,
                List.of(new ImageManifest.ImageFile("core-4242.img", 1024, "00000001"),
                        new ImageManifest.ImageFile("pages-1.img", 2048, "00000002")),
                encryption, encryption == null ? null : 1024L);
    }

    @Test
    void aPlainManifestReadsBackAsWritten(@TempDir Path tmp) throws Exception {
        ImageDir dir = new ImageDir(tmp);
        ImageManifest written = manifest(null);
        written.write(dir, null);
        assertEquals(written, ImageManifest.read(dir, null));
        assertTrue(Files.readString(dir.manifest()).contains("\"commandLine\""), "people can read it");
    }

    @Test
    void anEncryptedImageShowsOnlyThatItIsEncryptedAndNeedsItsKey(@TempDir Path tmp) throws Exception {
        ImageDir dir = new ImageDir(tmp);
        ImageManifest written = manifest("b64");
        written.write(dir, new Base64Cipher());
        String visible = Files.readString(dir.manifest());
        assertFalse(visible.contains("hunter2") || visible.contains("libjvm"), visible);
        assertTrue(visible.contains("\"encryption\" : \"b64\""), visible);
        ImageException refused = assertThrows(ImageException.class, () -> ImageManifest.read(dir, null));
        assertTrue(refused.getMessage().contains("is encrypted (b64): give the key that opens it"), refused.getMessage());
        assertEquals(written, ImageManifest.read(dir, new Base64Cipher()));
        assertEquals(List.of("core-4242.img.b64"), written.storedNames(written.files().get(0)));
        assertEquals(List.of("pages-1.img.0.b64", "pages-1.img.1.b64"), written.storedNames(written.files().get(1)));
    }

    @Test
    void propertiesALaterFormatAddsAreIgnoredAndANewerFormatIsRefused(@TempDir Path tmp) throws Exception {
        ImageDir dir = new ImageDir(tmp);
        Files.writeString(dir.manifest(), "{\"format\": 1, \"pid\": 7, \"leftRunning\": false, \"bytes\": 0, "
                + "\"addedLater\": {\"x\": [1, 2]}}");
        ImageManifest read = ImageManifest.read(dir, null);
        assertEquals(7, read.pid());
        assertNull(read.encryption());

        Files.writeString(dir.manifest(), "{\"format\": 3, \"pid\": 7, \"leftRunning\": false, \"bytes\": 0}");
        ImageException refused = assertThrows(ImageException.class, () -> ImageManifest.read(dir, null));
        assertTrue(refused.getMessage().contains("has format 3; this Stasis reads up to format 2"), refused.getMessage());
    }
}
