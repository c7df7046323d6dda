package io.stasis.crac.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileDigestsTest {

    /** Two whole pieces and a part of a third. */
    private static final int LARGE = (int) (2 * FileDigests.PIECE_BYTES + 12_345);

    @Test
    void fromFormat4AFileIsDigestedAsTheDigestOfItsPiecesDigests(@TempDir Path tmp) throws Exception {
        byte[] bytes = new byte[LARGE];
        new Random(7).nextBytes(bytes);
        Path large = Files.write(tmp.resolve("pages-1.img"), bytes);
        Path small = Files.write(tmp.resolve("core-1.img"), new byte[] {1, 2, 3});
        Path empty = Files.write(tmp.resolve("empty.img"), new byte[0]);

        List<String> digests = FileDigests.of(List.of(large, small, empty), List.of((long) LARGE, 3L, 0L), 4);

        int piece = (int) FileDigests.PIECE_BYTES;
        assertEquals(List.of(
                hex(sha256(sha256(Arrays.copyOfRange(bytes, 0, piece)), sha256(Arrays.copyOfRange(bytes, piece, 2 * piece)),
                        sha256(Arrays.copyOfRange(bytes, 2 * piece, LARGE)))),
                hex(sha256(sha256(new byte[] {1, 2, 3}))),
                hex(sha256(sha256(new byte[0])))), digests);
    }

    @Test
    void format3DigestsWholeFiles(@TempDir Path tmp) throws Exception {
        byte[] bytes = new byte[LARGE];
        new Random(8).nextBytes(bytes);
        Path large = Files.write(tmp.resolve("pages-1.img"), bytes);
        Path empty = Files.write(tmp.resolve("empty.img"), new byte[0]);

        assertEquals(List.of(hex(sha256(bytes)), hex(sha256(new byte[0]))),
                FileDigests.of(List.of(large, empty), List.of((long) LARGE, 0L), 3));
        assertEquals(List.of(hex(sha256(bytes))), FileDigests.ofWholeFiles(List.of(large)));
    }

    @Test
    void aByteChangedInAnyPieceChangesTheDigest(@TempDir Path tmp) throws Exception {
        byte[] bytes = new byte[LARGE];
        new Random(9).nextBytes(bytes);
        Path file = Files.write(tmp.resolve("pages-1.img"), bytes);
        String original = FileDigests.of(List.of(file), List.of((long) LARGE), 4).get(0);
        for (long at : new long[] {0, FileDigests.PIECE_BYTES - 1, FileDigests.PIECE_BYTES, LARGE - 1}) {
            flip(file, at);
            assertNotEquals(original, FileDigests.of(List.of(file), List.of((long) LARGE), 4).get(0), "byte " + at);
            flip(file, at);
        }
        assertEquals(original, FileDigests.of(List.of(file), List.of((long) LARGE), 4).get(0));
    }

    @Test
    void aFileShorterThanItsSizeIsAnError(@TempDir Path tmp) throws Exception {
        Path file = Files.write(tmp.resolve("pages-1.img"), new byte[100]);
        IOException shorter = assertThrows(IOException.class, () -> FileDigests.of(List.of(file), List.of(200L), 4));
        assertTrue(shorter.getMessage().contains("pages-1.img became shorter"), shorter.getMessage());
    }

    private static void flip(Path file, long at) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(at);
            int b = raf.read();
            raf.seek(at);
            raf.write(b ^ 0x10);
        }
    }

    private static byte[] sha256(byte[]... parts) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        for (byte[] part : parts) {
            digest.update(part);
        }
        return digest.digest();
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
