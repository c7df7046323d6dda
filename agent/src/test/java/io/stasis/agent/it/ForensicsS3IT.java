package io.stasis.agent.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stasis.agent.it.apps.ForensicsApp;
import io.stasis.agent.testing.ForkedJvm;
import io.stasis.agent.testing.Jdks;
import io.stasis.agent.testing.S3Server;
import io.stasis.api.Stasis;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code forensics.dir=s3://…}: bundles uploaded as soon as written, against a real S3 server (S3Proxy). */
class ForensicsS3IT {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final String CLASS_PATH = ForkedJvm.classPathOf(ForensicsApp.class, Stasis.class);

    @TempDir
    static Path serverDir;
    static S3Server server;

    @BeforeAll
    static void startServer() throws Exception {
        server = S3Server.start(serverDir);
        server.createBucket("incidents");
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aBundleIsUploadedAsWrittenAndOneWrittenAsTheJvmDiesToo(@TempDir Path dir) throws Exception {
        String recipients = recipient(dir);
        String agent = "dir=" + dir.resolve("data") + ",on-exit=false,forensics=on,forensics.recipients=" + recipients
                + ",forensics.dir=s3://incidents/svc-a,s3.endpoint=" + server.endpoint() + ",s3.path-style=true";
        try (ForkedJvm app = start(agent, "facade")) {
            app.awaitLineContaining("facade bundle: ", TIMEOUT);
            app.awaitLineContaining("uploaded to s3://incidents/svc-a", TIMEOUT);
            assertSameBundles(dir, 1);
            assertFalse(app.output().contains(S3Server.CREDENTIAL), app.output());
            app.kill9();
        }
        // An uncaught exception ends the JVM right after its bundle is written: the upload still happens.
        try (ForkedJvm app = start(agent, "uncaught")) {
            assertEquals(1, app.awaitExit(TIMEOUT), app.output());
            assertTrue(app.output().contains("uploaded to s3://incidents/svc-a"), app.output());
        }
        assertSameBundles(dir, 2);
    }

    /** The bucket holds exactly the local bundles, byte for byte (encrypted: age files). */
    private static void assertSameBundles(Path dir, int count) throws Exception {
        Map<String, byte[]> stored = server.stored("incidents");
        List<Path> local;
        try (Stream<Path> files = Files.list(dir.resolve("data/forensics"))) {
            local = files.filter(f -> f.getFileName().toString().endsWith(".age")).sorted().toList();
        }
        assertEquals(count, local.size(), local.toString());
        assertEquals(count, stored.size(), stored.keySet().toString());
        for (Path bundle : local) {
            byte[] there = stored.get("svc-a/" + bundle.getFileName());
            assertArrayEquals(Files.readAllBytes(bundle), there, bundle.getFileName() + " on the bucket");
            assertTrue(new String(there, 0, 40, java.nio.charset.StandardCharsets.US_ASCII)
                    .startsWith("age-encryption.org/v1"), "encrypted");
        }
    }

    private static ForkedJvm start(String agent, String mode) throws Exception {
        return ForkedJvm.on(Jdks.current()).jvmOption(server.credentialOptions()).jvmOption("-XX:+PerfDisableSharedMem")
                .agent(agent).classPath(CLASS_PATH).main(ForensicsApp.class, mode).start();
    }

    private static String recipient(Path dir) throws Exception {
        Path key = dir.resolve("key.txt");
        try (ForkedJvm cli = ForkedJvm.on(Jdks.current()).jar(ForkedJvm.agentJar(), "keygen", "-o", key.toString())
                .start()) {
            assertEquals(0, cli.awaitExit(TIMEOUT), cli.output());
        }
        return Files.readAllLines(key).stream().filter(l -> l.startsWith("# public key: "))
                .map(l -> l.substring("# public key: ".length())).findFirst().orElseThrow();
    }
}
