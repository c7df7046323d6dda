package io.stasis.agent.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP relay on loopback in front of an HTTP server that misbehaves on demand ({@link #mode}):
 * passes bytes through, answers every request {@code 503 SlowDown} (or {@code 500}), drops each
 * connection part-way through the request's body, or forwards slowly. Switching the mode closes
 * the connections open so far, as a failing network does, so clients meet the new mode at once.
 */
public final class FaultProxy implements AutoCloseable {

    /** What the relay does with each connection. */
    public enum Mode { PASS, SLOW_DOWN_503, ERROR_500, DROP_MID_BODY, SLOW }

    private final ServerSocket listener;
    private final URI target;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile Mode mode = Mode.PASS;

    public FaultProxy(URI target) throws IOException {
        this.target = target;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            while (!listener.isClosed()) {
                try {
                    Socket client = listener.accept();
                    open.add(client);
                    Thread handler = new Thread(() -> handle(client), "fault-proxy-connection");
                    handler.setDaemon(true);
                    handler.start();
                } catch (IOException e) {
                    // closed
                }
            }
        }, "fault-proxy");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + listener.getLocalPort());
    }

    /** From now on: every connection open so far is dropped. */
    public void mode(Mode mode) {
        this.mode = mode;
        for (Socket socket : open) {
            closeQuietly(socket);
        }
    }

    private void handle(Socket client) {
        Mode now = mode;
        try {
            switch (now) {
                case SLOW_DOWN_503 -> answer(client, "503 Slow Down", "SlowDown", "Please reduce your request rate.");
                case ERROR_500 -> answer(client, "500 Internal Server Error", "InternalError", "We encountered an"
                        + " internal error. Please try again.");
                case DROP_MID_BODY -> {
                    // Takes the head and a little of the body (what comes within 200 ms), then the connection is gone.
                    client.setSoTimeout(200);
                    try {
                        client.getInputStream().readNBytes(2048);
                    } catch (java.net.SocketTimeoutException e) {
                        // a request without a body: its head is in
                    }
                    closeQuietly(client);
                }
                default -> relay(client, now == Mode.SLOW);
            }
        } catch (IOException e) {
            closeQuietly(client);
        } finally {
            open.remove(client);
        }
    }

    private static void answer(Socket client, String status, String code, String message) throws IOException {
        readHead(client.getInputStream());
        String body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code + "</Code><Message>" + message
                + "</Message></Error>";
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        OutputStream out = client.getOutputStream();
        out.write(("HTTP/1.1 " + status + "\r\nContent-Type: application/xml\r\nContent-Length: " + bytes.length
                + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(bytes);
        out.flush();
        closeQuietly(client);
    }

    private static void readHead(InputStream in) throws IOException {
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        for (int b; matched < 4 && (b = in.read()) >= 0; ) {
            matched = b == end[matched] ? matched + 1 : b == '\r' ? 1 : 0;
        }
    }

    private void relay(Socket client, boolean slow) throws IOException {
        Socket server = new Socket(target.getHost(), target.getPort());
        open.add(server);
        Thread back = new Thread(() -> pump(server, client, false), "fault-proxy-back");
        back.setDaemon(true);
        back.start();
        pump(client, server, slow);
    }

    private void pump(Socket from, Socket to, boolean slow) {
        byte[] buffer = new byte[16 << 10];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            for (int n; (n = in.read(buffer)) > 0; ) {
                if (slow) {
                    Thread.sleep(100);
                }
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException | InterruptedException e) {
            // dropped
        } finally {
            closeQuietly(from);
            closeQuietly(to);
            open.remove(from);
            open.remove(to);
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // closed already
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        mode(Mode.PASS);
    }
}
