package io.stasis.agent.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;

/**
 * A TCP relay on loopback in front of a server that keeps a copy of every byte the clients sent,
 * to see what goes over the wire (the headers of HTTP requests, say). Until {@link #close}.
 */
public final class RecordingProxy implements AutoCloseable {

    private final ServerSocket listener;
    private final ByteArrayOutputStream sent = new ByteArrayOutputStream();

    public RecordingProxy(URI target) throws IOException {
        listener = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            while (!listener.isClosed()) {
                try {
                    Socket client = listener.accept();
                    Socket server = new Socket(target.getHost(), target.getPort());
                    relay(client.getInputStream(), server.getOutputStream(), true);
                    relay(server.getInputStream(), client.getOutputStream(), false);
                } catch (IOException e) {
                    // closed
                }
            }
        }, "recording-proxy");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private void relay(InputStream from, OutputStream to, boolean record) {
        Thread pump = new Thread(() -> {
            byte[] buffer = new byte[8192];
            try (from; to) {
                for (int n; (n = from.read(buffer)) >= 0; ) {
                    if (record) {
                        synchronized (sent) {
                            sent.write(buffer, 0, n);
                        }
                    }
                    to.write(buffer, 0, n);
                    to.flush();
                }
            } catch (IOException e) {
                // one side closed
            }
        }, "recording-proxy-relay");
        pump.setDaemon(true);
        pump.start();
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + listener.getLocalPort());
    }

    /** What the clients sent so far, as ISO-8859-1 text. */
    public String sent() {
        synchronized (sent) {
            return sent.toString(java.nio.charset.StandardCharsets.ISO_8859_1);
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }
}
