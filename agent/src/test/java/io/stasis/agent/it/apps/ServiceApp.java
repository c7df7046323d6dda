package io.stasis.agent.it.apps;

import com.sun.net.httpserver.HttpServer;
import io.stasis.api.Checkpointed;
import io.stasis.api.QuiescePoint;
import io.stasis.api.Stasis;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * A small HTTP service with an open listening socket, a warm in-memory cache and a request
 * counter: {@code GET /} answers {@code requests=N cache=M source=S}. It prints its port.
 */
public final class ServiceApp {

    @Checkpointed
    static long requests;
    /** Warmed at start-up: what a warm start saves recomputing. */
    static final Map<Integer, String> CACHE = new HashMap<>();

    private ServiceApp() {
    }

    public static void main(String[] args) throws Exception {
        for (int i = 0; i < 10_000; i++) {
            CACHE.put(i, Integer.toHexString(i * 31));
        }
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext("/", exchange -> {
            byte[] body = answer().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        System.out.println("listening " + server.getAddress().getPort() + " pid " + ProcessHandle.current().pid());
    }

    @QuiescePoint
    static String answer() throws IOException {
        requests++;
        return "requests=" + requests + " cache=" + CACHE.size() + " source=" + Stasis.lastRestore().source();
    }
}
