package io.stasis.agent.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

/**
 * A real S3 server for tests: S3Proxy ({@code target/s3proxy/s3proxy.jar}, copied there by the
 * build) in its own JVM, with its filesystem backend in a directory of the test, on loopback at a
 * free port, signing required (AWS v2 or v4) with {@link #IDENTITY} and {@link #CREDENTIAL}.
 * {@link #close} stops it. Nothing here needs an S3 client ({@link S3TestClient} is one), so that
 * the samples' tests can use it too.
 */
public final class S3Server implements AutoCloseable {

    public static final String IDENTITY = "stasis-test-identity";
    public static final String CREDENTIAL = "stasis-test-credential-0123456789";
    /** Copied by the agent module's build; the samples' tests run beside it in the reactor. */
    private static final List<Path> JARS = List.of(Path.of("target/s3proxy/s3proxy.jar"),
            Path.of("../agent/target/s3proxy/s3proxy.jar"));
    private static final Duration START = Duration.ofSeconds(90);

    private volatile Process process;
    private final int port;
    private final Path data;
    private Path jar;
    private Path config;
    private final List<String> output = new CopyOnWriteArrayList<>();
    private boolean credentialsSet;

    private S3Server(Process process, int port, Path data) {
        this.process = process;
        this.port = port;
        this.data = data;
        OutputLines.collect(process.getInputStream(), output, "s3proxy-output");
    }

    /** Starts a server keeping its buckets under {@code dir}; a port taken meanwhile is tried again. */
    public static S3Server start(Path dir) throws Exception {
        Path jar = JARS.stream().filter(Files::isRegularFile).findFirst().orElseThrow(() -> new IllegalStateException(
                JARS.get(0).toAbsolutePath() + " is missing: the agent module's build copies it (mvn verify -pl agent)"));
        Path data = Files.createDirectories(dir.resolve("s3-data"));
        Exception last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            int port;
            try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = probe.getLocalPort();
            }
            Path config = dir.resolve("s3proxy-" + port + ".conf");
            Files.writeString(config, String.join("\n",
                    "s3proxy.endpoint=http://127.0.0.1:" + port,
                    "s3proxy.authorization=aws-v2-or-v4",
                    "s3proxy.identity=" + IDENTITY,
                    "s3proxy.credential=" + CREDENTIAL,
                    "jclouds.provider=filesystem",
                    "jclouds.filesystem.basedir=" + data.toAbsolutePath()) + "\n");
            Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m", "-jar", jar.toAbsolutePath().toString(), "--properties", config.toString())
                    .redirectErrorStream(true).start();
            S3Server server = new S3Server(process, port, data);
            server.jar = jar;
            server.config = config;
            try {
                server.awaitListening();
                return server;
            } catch (Exception e) {
                last = e;
                server.close();
            }
        }
        throw last;
    }

    /**
     * Starts a server for this JVM's own S3 clients: its credentials go to the system properties
     * the AWS SDK's default chain reads, until {@link #close}.
     */
    public static S3Server startForThisJvm(Path dir) throws Exception {
        S3Server server = start(dir);
        System.setProperty("aws.accessKeyId", IDENTITY);
        System.setProperty("aws.secretAccessKey", CREDENTIAL);
        server.credentialsSet = true;
        return server;
    }

    private void awaitListening() throws Exception {
        long deadline = System.nanoTime() + START.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("S3Proxy exited:\n" + String.join("\n", output));
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
                return;
            } catch (IOException e) {
                Thread.sleep(200);
            }
        }
        throw new IllegalStateException("S3Proxy did not listen on port " + port + " within " + START + ":\n"
                + String.join("\n", output));
    }

    /** Stops the server as a crash would (its objects stay on disk): clients find nothing listening. */
    public void stop() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    /** Starts it again after {@link #stop}, on the same port, with the same objects. */
    public void restart() throws Exception {
        process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-jar", jar.toAbsolutePath().toString(), "--properties", config.toString())
                .redirectErrorStream(true).start();
        OutputLines.collect(process.getInputStream(), output, "s3proxy-output");
        awaitListening();
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** The agent's options for a store in {@code bucket} under {@code prefix} on this server. */
    public String storeOptions(String bucket, String prefix) {
        return "dir=s3://" + bucket + "/" + prefix + ",s3.endpoint=" + endpoint() + ",s3.path-style=true";
    }

    /** The agent's options for a mirror of a local store in {@code bucket} under {@code prefix} on this server. */
    public String mirrorOptions(String bucket, String prefix) {
        return "mirror=s3://" + bucket + "/" + prefix + ",s3.endpoint=" + endpoint() + ",s3.path-style=true";
    }

    /** The JVM options that give the AWS SDK's default provider chain this server's credentials. */
    public String[] credentialOptions() {
        return new String[] {"-Daws.accessKeyId=" + IDENTITY, "-Daws.secretAccessKey=" + CREDENTIAL};
    }

    /** Creates a bucket: with the filesystem backend, a directory under its base. */
    public void createBucket(String bucket) throws IOException {
        Files.createDirectory(data.resolve(bucket));
    }

    /**
     * Where the backend keeps the objects under {@code prefix} of {@code bucket}: one file per
     * object, named by its key, so a store's prefix there has a store directory's layout.
     */
    public Path storedAt(String bucket, String prefix) {
        return data.resolve(bucket).resolve(prefix);
    }

    /** Every object of a bucket as the server stores it on disk, by key. */
    public Map<String, byte[]> stored(String bucket) throws IOException {
        Map<String, byte[]> objects = new TreeMap<>();
        Path root = data.resolve(bucket);
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                objects.put(root.relativize(file).toString(), Files.readAllBytes(file));
            }
        }
        return objects;
    }

    public String output() {
        return String.join("\n", output);
    }

    @Override
    public void close() throws InterruptedException {
        if (credentialsSet) {
            System.clearProperty("aws.accessKeyId");
            System.clearProperty("aws.secretAccessKey");
        }
        process.destroy();
        if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
