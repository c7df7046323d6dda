package io.stasis.agent.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stasis.agent.internal.config.OptionsParser;
import io.stasis.agent.internal.store.Root;
import io.stasis.agent.internal.store.Snapshot;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OpenedStoreTest {

    /** About 1 MB of text records, each its own (so that no chunk repeats): LZ4 stores them in well under their size. */
    private static final byte[] STATE = records();

    private static byte[] records() {
        java.util.Random random = new java.util.Random(1);
        StringBuilder records = new StringBuilder();
        while (records.length() < 1 << 20) {
            records.append("account-").append(random.nextInt(1_000_000)).append(":balance=")
                    .append(random.nextInt(10_000)).append(';');
        }
        return records.toString().getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void theCompressionOptionReachesTheWriter(@TempDir Path dir) throws Exception {
        long compressed = packBytes(dir.resolve("lz4"), "");
        long stored = packBytes(dir.resolve("none"), ",compression=none");
        assertTrue(compressed < STATE.length / 2, compressed + " bytes with the default");
        assertTrue(stored > STATE.length, stored + " bytes with compression=none");
    }

    /** Opens {@code dir} as the agent does with {@code options}, checkpoints once, and sizes the pack. */
    private static long packBytes(Path dir, String options) throws Exception {
        OpenedStore opened = OpenedStore.open(OptionsParser.parse("dir=" + dir + options, new Properties()));
        try {
            opened.checkpointTo().write(new Snapshot(1, Instant.now(), "test", 0,
                    List.of(new Root(Root.Kind.STATIC, "com.acme.Ledger", null, List.of("accounts"), STATE)), List.of()));
        } finally {
            opened.store().close();
        }
        return Files.size(dir.resolve("packs/pack-0000000000000001.pack"));
    }
}
