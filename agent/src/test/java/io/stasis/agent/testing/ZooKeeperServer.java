package io.stasis.agent.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real ZooKeeper server for tests: {@code ZooKeeperServerMain} in its own JVM (from the test's
 * class path, where curator-test puts the server), standalone, its data in a directory of the test,
 * on loopback at a free port. {@link #restart} stops it the hard way and starts it again on the same
 * port and data, as a crashed and recovered server would be.
 */
public final class ZooKeeperServer implements AutoCloseable {

    private static final Duration START = Duration.ofSeconds(60);

    private final Path config;
    private final int port;
    private final List<String> output = new CopyOnWriteArrayList<>();
    private Process process;

    private ZooKeeperServer(Path config, int port) {
        this.config = config;
        this.port = port;
    }

    /** Starts a server keeping its data under {@code dir}. */
    public static ZooKeeperServer start(Path dir) throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        Path data = Files.createDirectories(dir.resolve("zk-data"));
        Path config = dir.resolve("zoo.cfg");
        Files.writeString(config, String.join("\n",
                "tickTime=1000",
                "dataDir=" + data.toAbsolutePath(),
                "clientPort=" + port,
                "clientPortAddress=127.0.0.1",
                "maxSessionTimeout=20000",
                "admin.enableServer=false",
                "4lw.commands.whitelist=ruok") + "\n");
        ZooKeeperServer server = new ZooKeeperServer(config, port);
        server.launch();
        return server;
    }

    /** {@code 127.0.0.1:PORT}, for {@code group.zookeeper}. */
    public String connectString() {
        return "127.0.0.1:" + port;
    }

    /** Kills the server (SIGKILL) and starts it again on the same port and data. */
    public void restart() throws Exception {
        kill();
        launch();
    }

    /** Kills the server (SIGKILL) and waits until it is gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    private void launch() throws Exception {
        output.clear();
        process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), "org.apache.zookeeper.server.ZooKeeperServerMain",
                config.toString()).redirectErrorStream(true).start();
        OutputLines.collect(process.getInputStream(), output, "zookeeper-output");
        awaitServing();
    }

    /** Until the server answers {@code ruok} with {@code imok}. */
    private void awaitServing() throws Exception {
        long deadline = System.nanoTime() + START.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("ZooKeeper exited:\n" + String.join("\n", output));
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
                // A server still starting can take the connection and never answer: the read is bounded.
                socket.setSoTimeout(1_000);
                socket.getOutputStream().write("ruok".getBytes(StandardCharsets.US_ASCII));
                socket.shutdownOutput();
                InputStream in = socket.getInputStream();
                if (new String(in.readAllBytes(), StandardCharsets.US_ASCII).equals("imok")) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet, or not answering yet (SocketTimeoutException is an IOException)
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("ZooKeeper did not serve on port " + port + " within " + START + ":\n"
                + String.join("\n", output));
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null) {
            kill();
        }
    }
}
