package io.stasis.forensics.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stasis.forensics.AgeKeys;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BundleWriterTest {

    @TempDir
    Path dir;

    @Test
    void writesAnAgeFileThatDecryptsToAZip() throws Exception {
        AgeKeys.Pair pair = AgeKeys.generate();
        assertTrue(pair.recipient().startsWith("age1"), pair.recipient());
        assertTrue(pair.identity().startsWith("AGE-SECRET-KEY-1"), "identity format");
        byte[] big = new byte[300_000];
        new Random(1).nextBytes(big);
        Path bundle;
        try (BundleWriter w = new BundleWriter(dir, "b", AgeKeys.recipients(List.of(pair.recipient())))) {
            w.section("a.txt", out -> out.write("hello".getBytes(StandardCharsets.UTF_8)));
            w.section("big.bin", out -> out.write(big));
            w.section("broken.txt", out -> {
                out.write('x');
                throw new IllegalStateException("boom");
            });
            assertEquals("IllegalStateException: boom", w.sections().get(2).error());
            bundle = w.commit();
        }
        assertFalse(Files.exists(dir.resolve("b.age.partial")));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(bundle)));
        byte[] encrypted = Files.readAllBytes(bundle);
        assertTrue(new String(encrypted, 0, 14, StandardCharsets.US_ASCII).equals("age-encryption"), "the age v1 header");

        Path key = dir.resolve("key.txt");
        Files.writeString(key, "# public key: " + pair.recipient() + "\n" + pair.identity() + "\n");
        ByteArrayOutputStream zip = new ByteArrayOutputStream();
        AgeKeys.decrypt(new ByteArrayInputStream(encrypted), zip, AgeKeys.readIdentities(key));
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip.toByteArray()))) {
            ZipEntry e = in.getNextEntry();
            assertEquals("a.txt", e.getName());
            assertEquals("hello", new String(in.readAllBytes(), StandardCharsets.UTF_8));
            assertEquals("big.bin", in.getNextEntry().getName());
            assertArrayEquals(big, in.readAllBytes());
        }

        byte[] truncated = java.util.Arrays.copyOf(encrypted, encrypted.length - 100);
        IOException t = assertThrows(IOException.class,
                () -> AgeKeys.decrypt(new ByteArrayInputStream(truncated), new ByteArrayOutputStream(), AgeKeys.readIdentities(key)));
        assertTrue(t.getMessage().contains("corrupted or truncated"), t.getMessage());
        byte[] flipped = encrypted.clone();
        flipped[flipped.length - 5000] ^= 1;
        IOException f = assertThrows(IOException.class,
                () -> AgeKeys.decrypt(new ByteArrayInputStream(flipped), new ByteArrayOutputStream(), AgeKeys.readIdentities(key)));
        assertTrue(f.getMessage().contains("corrupted or truncated"), f.getMessage());
    }

    @Test
    void masksByAllowList() {
        Redactor r = new Redactor(List.of("app.region"), List.of("LANG"));
        assertEquals("17", r.property("java.specification.version", "17"));
        assertEquals(Redactor.MASK, r.property("app.db.password", "hunter2"));
        assertEquals(Redactor.MASK, r.property("app.other", "x"));
        assertEquals("eu", r.property("app.region", "eu"));
        assertEquals("-Dapp.db.password=" + Redactor.MASK, r.argument("-Dapp.db.password=hunter2"));
        assertEquals(Redactor.MASK, r.environment(java.util.Map.of("DB_TOKEN", "t")).get("DB_TOKEN"));
        assertEquals("C", r.environment(java.util.Map.of("LANG", "C")).get("LANG"));
        assertEquals(List.of("app.db.password", "app.other"), r.maskedProperties());
    }
}
