package io.stasis.agent.it.apps;

import io.stasis.api.Checkpointed;
import io.stasis.api.Stasis;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Compressible state: 500,000 records like an account table. Started without state, it fills them,
 * checkpoints, and prints the snapshot's sequence, a digest, and which lz4-java library the JVM
 * has mapped (its path, with {@code :deleted} once the file is gone, or {@code none}); started with
 * state, it prints the digest restored.
 */
public final class CompressedStateApp {

    /** About 20 MB serialized: past the 16 MiB after which the agent compresses natively. */
    private static final int RECORDS = 500_000;

    @Checkpointed
    static List<String> records = new ArrayList<>();

    private CompressedStateApp() {
    }

    public static void main(String[] args) throws IOException {
        if (!records.isEmpty()) {
            System.out.println("restored digest=" + records.hashCode());
            return;
        }
        for (int i = 0; i < RECORDS; i++) {
            records.add("acct-" + i + "|owner-" + Integer.toHexString(i * 7919) + "|" + (i % 1000) + ".00");
        }
        long sequence = Stasis.checkpoint("filled").sequence();
        System.out.println("sequence=" + sequence + " digest=" + records.hashCode() + " lz4=" + mappedLz4());
    }

    private static String mappedLz4() throws IOException {
        try (Stream<String> maps = Files.lines(Path.of("/proc/self/maps"), StandardCharsets.ISO_8859_1)) {
            return maps.filter(line -> line.contains("/liblz4-java.so"))
                    .map(line -> line.substring(line.indexOf('/')).replace(" (deleted)", ":deleted"))
                    .findFirst().orElse("none");
        }
    }
}
