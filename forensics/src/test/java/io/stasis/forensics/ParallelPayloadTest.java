package io.stasis.forensics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.exceptionfactory.jagged.RecipientStanzaReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Chunks decrypted on several cores give back exactly what was encrypted, and refuse what a sequential reader refuses. */
class ParallelPayloadTest {

    private static final int CHUNK = ParallelPayload.CHUNK;

    private static byte[] encrypt(byte[] plain, AgeKeys.Pair pair) throws IOException {
        ByteArrayOutputStream sealed = new ByteArrayOutputStream();
        AgeKeys.encrypt(new ByteArrayInputStream(plain), Channels.newChannel(sealed), AgeKeys.recipients(List.of(pair.recipient())));
        return sealed.toByteArray();
    }

    private static List<RecipientStanzaReader> identities(AgeKeys.Pair pair, Path dir) throws IOException {
        Path key = dir.resolve("key-" + System.nanoTime() + ".txt");
        Files.writeString(key, pair.identity() + "\n");
        return AgeKeys.readIdentities(key);
    }

    @Test
    void roundTripsEverySizeAroundTheChunkBoundaries(@TempDir Path dir) throws IOException {
        AgeKeys.Pair pair = AgeKeys.generate();
        List<RecipientStanzaReader> identities = identities(pair, dir);
        Random random = new Random(7);
        for (int size : new int[] {0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, 7 * CHUNK + 13, 40 * CHUNK}) {
            byte[] plain = new byte[size];
            random.nextBytes(plain);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            AgeKeys.decrypt(new ByteArrayInputStream(encrypt(plain, pair)), out, identities);
            assertArrayEquals(plain, out.toByteArray(), "size " + size);
        }
    }

    @Test
    void refusesAFileCutAtAChunkBoundaryOrAnywhereElseAndAnyChangedByte(@TempDir Path dir) throws IOException {
        AgeKeys.Pair pair = AgeKeys.generate();
        List<RecipientStanzaReader> identities = identities(pair, dir);
        byte[] plain = new byte[5 * CHUNK + 100];
        new Random(3).nextBytes(plain);
        byte[] sealed = encrypt(plain, pair);
        int payloadEnd = sealed.length;
        int lastChunk = 100 + ParallelPayload.TAG;
        for (int cut : new int[] {lastChunk, lastChunk + (CHUNK + 16), lastChunk + 2 * (CHUNK + 16), 1, 17, 5000}) {
            byte[] truncated = Arrays.copyOf(sealed, payloadEnd - cut);
            IOException e = assertThrows(IOException.class,
                    () -> AgeKeys.decrypt(new ByteArrayInputStream(truncated), new ByteArrayOutputStream(), identities), "cut " + cut);
            assertTrue(e.getMessage().contains("corrupted or truncated"), e.getMessage());
        }
        for (int at : new int[] {sealed.length - 1, sealed.length - lastChunk - 3, sealed.length / 2}) {
            byte[] flipped = sealed.clone();
            flipped[at] ^= 1;
            assertThrows(IOException.class,
                    () -> AgeKeys.decrypt(new ByteArrayInputStream(flipped), new ByteArrayOutputStream(), identities), "byte " + at);
        }
        byte[] longer = Arrays.copyOf(sealed, sealed.length + 1);
        assertThrows(IOException.class,
                () -> AgeKeys.decrypt(new ByteArrayInputStream(longer), new ByteArrayOutputStream(), identities), "a byte after the end");
    }

    @Test
    void anotherKeyOpensNothing(@TempDir Path dir) throws IOException {
        byte[] sealed = encrypt(new byte[10], AgeKeys.generate());
        IOException e = assertThrows(IOException.class, () -> AgeKeys.decrypt(new ByteArrayInputStream(sealed),
                new ByteArrayOutputStream(), identities(AgeKeys.generate(), dir)));
        assertTrue(e.getMessage().contains("identity"), e.getMessage());
    }
}
