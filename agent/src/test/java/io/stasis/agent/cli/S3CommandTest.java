package io.stasis.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stasis.agent.internal.store.FileSnapshotStore;
import io.stasis.agent.internal.store.Root;
import io.stasis.agent.internal.store.S3Location;
import io.stasis.agent.internal.store.Snapshot;
import io.stasis.agent.internal.store.s3.S3Loader;
import io.stasis.agent.testing.S3Server;
import io.stasis.agent.testing.S3TestClient;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/** list, inspect, verify and gc on a store in a bucket of a real S3 server. */
class S3CommandTest {

    @TempDir
    static Path dir;
    static S3Server server;

    private final CommandRun command = new CommandRun();
    private final ByteArrayOutputStream out = command.out;
    private final ByteArrayOutputStream err = command.err;

    @BeforeAll
    static void startServer() throws Exception {
        server = S3Server.startForThisJvm(dir);
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private int run(String... args) {
        return command.run(args);
    }

    @Test
    void theStoreCommandsTakeAnS3Url() throws Exception {
        server.createBucket("cli");
        S3Location where = new S3Location("cli", "app", server.endpoint(), null, true);
        try (FileSnapshotStore store = FileSnapshotStore.openForWriting(S3Loader.open(where), null, false)) {
            for (long sequence = 1; sequence <= 2; sequence++) {
                store.write(new Snapshot(sequence, Instant.parse("2026-01-01T00:00:00Z"), "interval", 5_000_000,
                        List.of(new Root(Root.Kind.INSTANCE, "com.acme.Account", "7", List.of("balance"),
                                new byte[] {1, 2, (byte) sequence}))));
            }
        }
        try (S3Client client = S3TestClient.of(server)) {
            client.putObject(b -> b.bucket("cli").key("app/packs/pack-0000000000000009.pack"), RequestBody.fromString("x"));
        }
        String[] s3 = {"--dir", "s3://cli/app", "--s3-endpoint", server.endpoint().toString(), "--s3-path-style"};

        assertEquals(0, run(concat("list", s3)), err.toString());
        assertTrue(out.toString().contains("2 snapshot(s) in s3://cli/app"), out.toString());
        assertEquals(0, run(concat("inspect", s3, "latest")), err.toString());
        assertTrue(out.toString().contains("com.acme.Account"), out.toString());
        assertEquals(0, run(concat("verify", s3)), err.toString());
        assertTrue(out.toString().contains("leftover (gc removes it): packs/pack-0000000000000009.pack"), out.toString());
        assertTrue(out.toString().contains("2 snapshot(s), 2 chunk(s) checked in s3://cli/app: all verify"), out.toString());
        assertEquals(0, run(concat("gc", s3)), err.toString());
        assertTrue(out.toString().contains("removed packs/pack-0000000000000009.pack"), out.toString());

        assertEquals(1, run("list", "--dir", dir.toString(), "--s3-path-style"));
        assertTrue(err.toString().contains("--s3-endpoint, --s3-region and --s3-path-style are for --dir s3://"),
                err.toString());
    }

    private static String[] concat(String command, String[] options, String... more) {
        List<String> all = new java.util.ArrayList<>(List.of(command));
        all.addAll(List.of(options));
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }
}
