package io.stasis.benchmarks.store;

import io.stasis.agent.internal.metrics.MirrorStats;
import io.stasis.agent.internal.store.FileSnapshotStore;
import io.stasis.agent.internal.store.Mirror;
import io.stasis.agent.internal.store.MirroredStore;
import io.stasis.agent.internal.store.Root;
import io.stasis.agent.internal.store.S3Location;
import io.stasis.agent.internal.store.Snapshot;
import io.stasis.agent.internal.store.s3.S3Loader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code mirror=}: checkpoints of N MB to a local store, one every period, sent in the background
 * to a bucket by the agent's {@link Mirror}. Reports each checkpoint's time from local commit to
 * being on the mirror, the {@code MirrorLagMillis} the JMX attribute would show (sampled every
 * 10 ms), and the requests per checkpoint, counted on the wire by a relay between the client and
 * the server. Each checkpoint changes a tenth of the state (new chunks), as an application's
 * state changes between checkpoints.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.stasis.benchmarks.store.MirrorLag DIR ENDPOINT BUCKET MB PERIOD_MS COUNT</pre>
 */
public final class MirrorLag {

    private static final String[] METHODS = {"GET ", "PUT ", "HEAD ", "DELETE ", "POST "};

    private MirrorLag() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]).resolve("run-" + System.nanoTime());
        URI server = URI.create(args[1]);
        String bucket = args[2];
        int megabytes = Integer.parseInt(args[3]);
        long period = Long.parseLong(args[4]);
        int count = Integer.parseInt(args[5]);
        Map<String, AtomicLong> requests = new ConcurrentHashMap<>();
        try (ServerSocket relay = relay(server, requests)) {
            URI endpoint = URI.create("http://127.0.0.1:" + relay.getLocalPort());
            S3Location where = new S3Location(bucket, "mirror/run-" + System.nanoTime(), endpoint, null, true);
            MirrorStats stats = MirrorStats.configured();
            byte[] state = StoreThroughput.state(megabytes << 20, 1);
            Random random = new Random(7);
            List<Double> toMirror = new ArrayList<>();
            List<Long> lags = new ArrayList<>();
            try (FileSnapshotStore local = FileSnapshotStore.openForWriting(dir)) {
                Mirror mirror = new Mirror(local, where.url(), () -> S3Loader.open(where), null, false, 5, stats);
                mirror.start();
                MirroredStore store = new MirroredStore(local, null, mirror, where.url());
                Map<Long, Long> committedAt = new ConcurrentHashMap<>();
                Thread sampler = new Thread(() -> {
                    long seen = -1;
                    while (!Thread.currentThread().isInterrupted()) {
                        long now = System.nanoTime();
                        lags.add(stats.lagMillis(System.currentTimeMillis()));
                        long mirrored = stats.mirroredSequence();
                        if (mirrored > seen) {
                            for (long s = seen + 1; s <= mirrored; s++) {
                                Long at = committedAt.get(s);
                                if (at != null && s == mirrored) {
                                    toMirror.add((now - at) / 1e6);
                                }
                            }
                            seen = mirrored;
                        }
                        try {
                            Thread.sleep(10);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                });
                sampler.start();
                long next = System.nanoTime();
                for (long sequence = 1; sequence <= count; sequence++) {
                    int changed = state.length / 10;
                    int at = random.nextInt(state.length - changed);
                    System.arraycopy(StoreThroughput.state(changed, sequence + 100), 0, state, at, changed);
                    store.write(new Snapshot(sequence, Instant.now(), "benchmark", 0, List.of(
                            new Root(Root.Kind.STATIC, "com.acme.State", null, List.of("data"), state))));
                    committedAt.put(sequence, System.nanoTime());
                    next += period * 1_000_000;
                    long sleep = next - System.nanoTime();
                    if (sleep > 0) {
                        Thread.sleep(sleep / 1_000_000);
                    }
                }
                long before = total(requests);
                boolean caughtUp = mirror.awaitCaughtUp(Duration.ofMinutes(2));
                Thread.sleep(50);
                sampler.interrupt();
                sampler.join();
                mirror.close();
                System.out.printf("%d checkpoints of %d MB every %d ms; caught up at the end: %s (requests after the"
                        + " last checkpoint: %d)%n", count, megabytes, period, caughtUp, total(requests) - before);
                System.out.printf("local commit to on the mirror (checkpoints sent, %d of %d): median %.0f ms, p90 %.0f"
                        + " ms, max %.0f ms%n", toMirror.size(), count, pct(toMirror, 50), pct(toMirror, 90),
                        pct(toMirror, 100));
                System.out.println("each, in order (ms): " + toMirror.stream().map(v -> String.format("%.0f", v)).toList());
                List<Double> lagValues = lags.stream().map(Long::doubleValue).toList();
                System.out.printf("MirrorLagMillis sampled every 10 ms: median %.0f, p90 %.0f, max %.0f; failures %d%n",
                        pct(lagValues, 50), pct(lagValues, 90), pct(lagValues, 100), stats.failures());
                Map<String, Long> byMethod = new TreeMap<>();
                requests.forEach((method, n) -> byMethod.put(method.trim(), n.get()));
                System.out.printf("requests: %d in all, %.1f per checkpoint; by method %s%n", total(requests),
                        total(requests) / (double) count, byMethod);
            }
        }
    }

    private static long total(Map<String, AtomicLong> requests) {
        return requests.values().stream().mapToLong(AtomicLong::get).sum();
    }

    private static double pct(List<Double> values, int percent) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = values.stream().sorted().toList();
        return sorted.get(Math.min(sorted.size() - 1, sorted.size() * percent / 100));
    }

    /** A TCP relay on loopback to {@code server} that counts the HTTP requests clients send, by method. */
    private static ServerSocket relay(URI server, Map<String, AtomicLong> requests) throws IOException {
        ServerSocket listener = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            while (!listener.isClosed()) {
                try {
                    Socket client = listener.accept();
                    Socket upstream = new Socket(server.getHost(), server.getPort());
                    pump(client.getInputStream(), upstream.getOutputStream(), requests);
                    pump(upstream.getInputStream(), client.getOutputStream(), null);
                } catch (IOException e) {
                    // closed
                }
            }
        });
        acceptor.setDaemon(true);
        acceptor.start();
        return listener;
    }

    private static void pump(InputStream in, OutputStream out, Map<String, AtomicLong> requests) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[64 << 10];
            StringBuilder tail = new StringBuilder();
            try (in; out) {
                for (int n; (n = in.read(buffer)) > 0; ) {
                    out.write(buffer, 0, n);
                    if (requests != null) {
                        tail.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
                        count(tail, requests);
                    }
                }
            } catch (IOException e) {
                // closed
            }
        });
        thread.setDaemon(true);
        thread.start();
    }

    /** Counts the request lines ({@code METHOD /path HTTP/1.1}) in {@code tail}, keeping what may start one. */
    private static void count(StringBuilder tail, Map<String, AtomicLong> requests) {
        int end;
        while ((end = tail.indexOf(" HTTP/1.1\r\n")) >= 0) {
            // The request line may follow a body without a line break: its method is the last one before.
            int start = -1;
            String found = null;
            for (String method : METHODS) {
                int at = tail.lastIndexOf(method, end);
                if (at > start) {
                    start = at;
                    found = method;
                }
            }
            if (found != null) {
                requests.computeIfAbsent(found, m -> new AtomicLong()).incrementAndGet();
            }
            tail.delete(0, end + 11);
        }
        if (tail.length() > 4096) {
            tail.delete(0, tail.length() - 4096);
        }
    }
}
