package io.stasis.crac.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageManifestTest {

    private static ImageManifest manifest(String encryption, String... names) {
        List<String> files = names.length == 0 ? List.of("core-4242.img", "pages-1.img") : List.of(names);
        return new ImageManifest(ImageManifest.FORMAT, "2026-11-23T16:00:00Z", 4242, false,
                new ImageManifest.Application(List.of("java", "-Dsecret=hunter2", "-jar", "app.jar"), "/srv/app",
                        new ImageManifest.User(1000, 1000, List.of(1000L, 27L))),
                List.of("/dev/null", "pipe:[123]", "pipe:[123]"),
                new ImageManifest.Jdk("/usr/lib/jvm/17", "17.0.15+6", "/usr/lib/jvm/17/lib/server/libjvm.so", "0badcafe"),
                new ImageManifest.Cpu("Some CPU", List.of("avx", "avx2", "sse4_2")), "6.18.0", "4.1", 3072,
                files.stream().map(name -> new ImageManifest.ImageFile(name, 1024, "ab".repeat(32),
                        encryption == null ? null : List.of("cd".repeat(32)))).toList(),
                encryption, encryption == null ? null : 1024L, null, 64L << 20);
    }

    private static ImageAuth key(Path tmp, String name) throws Exception {
        return ImageAuth.loadOrCreate(tmp.resolve("keys").resolve(name));
    }

    private static ImageDir dir(Path tmp) throws Exception {
        return new ImageDir(Files.createDirectory(tmp.resolve("image"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))));
    }

    @Test
    void aPlainManifestReadsBackAsWrittenAndPrivate(@TempDir Path tmp) throws Exception {
        ImageDir dir = dir(tmp);
        ImageAuth auth = key(tmp, "auth.key");
        ImageManifest written = manifest(null);
        written.write(dir, null, auth);
        assertEquals(written, ImageManifest.read(dir, null, auth));
        assertTrue(Files.readString(dir.manifest()).contains("\"commandLine\""), "people can read it");
        for (Path file : List.of(dir.manifest(), dir.path().resolve(ImageDir.MAC), auth.file())) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)), file.toString());
        }
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(auth.file().getParent())));
        assertEquals(32, Files.size(auth.file()));
        assertEquals(Files.readAllBytes(auth.file()).length, Files.readAllBytes(key(tmp, "auth.key").file()).length,
                "an existing key is kept");
    }

    @Test
    void aForgedOrAlteredManifestIsRefused(@TempDir Path tmp) throws Exception {
        ImageDir dir = dir(tmp);
        ImageAuth auth = key(tmp, "auth.key");
        manifest(null).write(dir, null, auth);
        ImageException otherKey = assertThrows(ImageException.class,
                () -> ImageManifest.read(dir, null, key(tmp, "other.key")));
        assertTrue(otherKey.getMessage().contains("is not authenticated by the key"), otherKey.getMessage());

        Files.writeString(dir.manifest(), Files.readString(dir.manifest()).replace("hunter2", "hunter3"));
        ImageException altered = assertThrows(ImageException.class, () -> ImageManifest.read(dir, null, auth));
        assertTrue(altered.getMessage().contains("is not authenticated by the key"), altered.getMessage());

        Files.delete(dir.path().resolve(ImageDir.MAC));
        ImageException unsigned = assertThrows(ImageException.class, () -> ImageManifest.read(dir, null, auth));
        assertTrue(unsigned.getMessage().contains("cannot be authenticated"), unsigned.getMessage());
    }

    @Test
    void restoreNeverMakesAKeyAndRefusesOneOthersCanRead(@TempDir Path tmp) throws Exception {
        Path missing = tmp.resolve("none").resolve("auth.key");
        ImageException none = assertThrows(ImageException.class, () -> ImageAuth.load(missing));
        assertTrue(none.getMessage().contains("no image authentication key at " + missing), none.getMessage());
        assertFalse(Files.exists(missing));
        ImageAuth auth = key(tmp, "auth.key");
        Files.setPosixFilePermissions(auth.file(), PosixFilePermissions.fromString("rw-r--r--"));
        ImageException readable = assertThrows(ImageException.class, () -> ImageAuth.load(auth.file()));
        assertTrue(readable.getMessage().contains("chmod 600"), readable.getMessage());
    }

    @Test
    void anAuthenticManifestWhoseFileNamesLeaveTheDirectoryIsRefusedAsDamaged(@TempDir Path tmp) throws Exception {
        ImageAuth auth = key(tmp, "auth.key");
        for (String name : List.of("../escaped.img", "x/../../escaped.img", "/etc/cron.d/x.img", "..img", ".img",
                "a\u0000b.img", "a".repeat(300) + ".img", "pages-1")) {
            ImageDir dir = dir(tmp);
            manifest(null, "core-1.img", name).write(dir, null, auth);
            ImageException refused = assertThrows(ImageException.class, () -> ImageManifest.read(dir, null, auth), name);
            assertTrue(refused.getMessage().contains("is damaged"), refused.getMessage());
            org.apache.commons.io.FileUtils.deleteDirectory(dir.path().toFile());
        }
    }

    @Test
    void anEncryptedImageShowsOnlyThatItIsEncryptedAndNeedsItsKey(@TempDir Path tmp) throws Exception {
        ImageDir dir = dir(tmp);
        ImageAuth auth = key(tmp, "auth.key");
        ImageManifest written = manifest("b64");
        written.write(dir, new Base64Cipher(), auth);
        String visible = Files.readString(dir.manifest());
        assertFalse(visible.contains("hunter2") || visible.contains("libjvm"), visible);
        assertTrue(visible.contains("\"encryption\" : \"b64\""), visible);
        ImageException refused = assertThrows(ImageException.class, () -> ImageManifest.read(dir, null, auth));
        assertTrue(refused.getMessage().contains("is encrypted (b64): give the key that opens it"), refused.getMessage());
        assertEquals(written, ImageManifest.read(dir, new Base64Cipher(), auth));
        assertEquals(List.of("core-4242.img.b64"), written.storedNames(written.files().get(0)));

        // Anyone can seal a manifest (age needs only the public key): the MAC covers the sealed one too.
        Path sealed = dir.path().resolve(ImageDir.MANIFEST + ".b64");
        Files.delete(sealed);
        java.io.ByteArrayOutputStream forged = new java.io.ByteArrayOutputStream();
        new Base64Cipher().seal(new java.io.ByteArrayInputStream("{\"format\": 3}".getBytes(StandardCharsets.UTF_8)), forged);
        Files.write(sealed, forged.toByteArray());
        ImageException swapped = assertThrows(ImageException.class,
                () -> ImageManifest.read(dir, new Base64Cipher(), auth));
        assertTrue(swapped.getMessage().contains("is not the one stasis-image.json authenticates"), swapped.getMessage());
    }

    /** Format 3 digests whole files: such an image, taken before pieces, still restores. */
    @Test
    void aFormat3ManifestIsStillRead(@TempDir Path tmp) throws Exception {
        ImageDir dir = dir(tmp);
        ImageAuth auth = key(tmp, "auth.key");
        ImageManifest current = manifest(null);
        ImageManifest format3 = new ImageManifest(3, current.created(), current.pid(), current.leftRunning(),
                current.application(), current.standardStreams(), current.jdk(), current.cpu(), current.kernel(),
                current.criu(), current.bytes(), current.files(), null, null, null, null);
        format3.write(dir, null, auth);
        assertEquals(format3, ImageManifest.read(dir, null, auth));
    }

    @Test
    void anOlderFormatIsRefused(@TempDir Path tmp) throws Exception {
        ImageDir dir = dir(tmp);
        ImageAuth auth = key(tmp, "auth.key");
        byte[] old = "{\"format\": 2, \"pid\": 7, \"leftRunning\": false, \"bytes\": 0}".getBytes(StandardCharsets.UTF_8);
        Files.write(dir.manifest(), old);
        Files.writeString(dir.path().resolve(ImageDir.MAC), auth.mac(old));
        ImageException refused = assertThrows(ImageException.class, () -> ImageManifest.read(dir, null, auth));
        assertTrue(refused.getMessage().contains("has format 2; this Stasis reads formats 3 to 4"), refused.getMessage());
    }
}
