package io.stasis.agent.internal.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Uploads larger than the early-flush step (several flushes run beside the writing): what is
 * committed is exactly what was written; what is abandoned leaves no file.
 */
class DirectoryBlobsTest {

    private static final int PIECE = 1 << 20;

    @TempDir
    Path dir;

    @Test
    void aLargeUploadIsCommittedWhole() throws Exception {
        DirectoryBlobs blobs = new DirectoryBlobs(dir);
        blobs.prepareForWriting();
        byte[] content = written(blobs, "packs/pack-0000000000000001.pack", 40, true);
        assertArrayEquals(content, blobs.read("packs/pack-0000000000000001.pack", content.length, "pack"));
        assertEquals(0, temporaryFiles(), "the temporary file became the object");
    }

    @Test
    void anAbandonedLargeUploadLeavesNothing() throws Exception {
        DirectoryBlobs blobs = new DirectoryBlobs(dir);
        blobs.prepareForWriting();
        written(blobs, "packs/pack-0000000000000001.pack", 24, false);
        assertTrue(Files.notExists(dir.resolve("packs/pack-0000000000000001.pack")));
        assertEquals(0, temporaryFiles());
    }

    private static byte[] written(DirectoryBlobs blobs, String name, int pieces, boolean commit) throws Exception {
        byte[] content = new byte[pieces * PIECE];
        new Random(pieces).nextBytes(content);
        try (BlobStore.Upload upload = blobs.create(name)) {
            for (int at = 0; at < content.length; at += PIECE) {
                upload.write(ByteBuffer.wrap(content, at, PIECE));
            }
            if (commit) {
                assertTrue(upload.commit());
            }
        }
        return content;
    }

    private long temporaryFiles() throws Exception {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(Durable.TEMP_SUFFIX)).count();
        }
    }
}
