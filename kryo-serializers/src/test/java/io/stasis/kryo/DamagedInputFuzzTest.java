package io.stasis.kryo;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.Output;
import java.lang.management.ManagementFactory;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A seeded mutation loop over snapshots of varied graphs: bit flips, random and boundary bytes,
 * huge varints, insertions, deletions, duplications, truncations and splices between snapshots.
 * Every case must end in a value or a {@link KryoException}: never another exception, an error
 * (a stack overflow, an out-of-memory), a hang, an allocation out of proportion to the input, or
 * a class loaded that the allow-list does not name.
 *
 * <p>{@code -Dstasis.fuzz.cases=N} sets the number of cases (default one million); a failure names
 * the case, which replays alone with {@code -Dstasis.fuzz.first=K -Dstasis.fuzz.cases=1}.
 */
class DamagedInputFuzzTest {

    private static final long CASES = Long.getLong("stasis.fuzz.cases", 1_000_000);
    private static final long FIRST = Long.getLong("stasis.fuzz.first", 0);
    /** Far above what reading these few-kilobyte inputs needs, far below what a bomb would take. */
    private static final long MAX_ALLOCATION = 96L << 20;
    private static final Duration STALL = Duration.ofSeconds(30);

    enum Status { NEW, PAID, SHIPPED }

    sealed interface Event permits Created, Moved {
    }

    record Created(String by, LocalDateTime at) implements Event {
    }

    record Moved(String from, String to, double km) implements Event {
    }

    static class Account {
        String id;
        long balance;
        Status status;
        int[] history;
        Account parent;

        Account(String id, long balance, Status status, int[] history) {
            this.id = id;
            this.balance = balance;
            this.status = status;
            this.history = history;
        }
    }

    /** The root type: its fields declare what the snapshot may hold. */
    static class State {
        Map<String, Account> accounts = new HashMap<>();
        List<Event> events = new ArrayList<>();
        Object jdk;
        Object[] mixed;
        String note;
    }

    private static final AllowedClasses ALLOWED = AllowedClasses.jdk().andReachableFrom(State.class);

    private static List<byte[]> seeds() {
        Kryo kryo = SnapshotKryo.create(DamagedInputFuzzTest.class.getClassLoader(), ALLOWED);
        List<byte[]> seeds = new ArrayList<>();
        State app = new State();
        Account a = new Account("a-1", 1_000, Status.PAID, new int[] {1, 2, 3});
        Account b = new Account("ünïcödé-2", -5, Status.NEW, new int[0]);
        b.parent = a;
        a.parent = a;
        app.accounts.put(a.id, a);
        app.accounts.put(b.id, b);
        app.events.add(new Created("ops", LocalDateTime.of(2026, 1, 2, 3, 4)));
        app.events.add(new Moved("x", "y", 2.5));
        app.mixed = new Object[] {a, "s", 3, 4L, 5.0, null, new long[][] {{1}, {2, 3}}};
        app.note = "a note with ümlauts and a long tail ".repeat(4);
        seeds.add(write(kryo, app));

        State collections = new State();
        Map<String, Object> jdk = new LinkedHashMap<>();
        jdk.put("list", new ArrayList<>(List.of(1, 2, 3)));
        jdk.put("tree", new TreeMap<>(Map.of("b", 2, "a", 1)));
        TreeMap<String, Integer> reversed = new TreeMap<>(Comparator.reverseOrder());
        reversed.putAll(Map.of("x", 1, "y", 2));
        jdk.put("reversed", reversed);
        LinkedHashMap<String, Integer> lru = new LinkedHashMap<>(16, 0.75f, true);
        lru.put("p", 1);
        lru.put("q", 2);
        jdk.put("lru", lru);
        jdk.put("deque", new ArrayDeque<>(List.of("d1", "d2")));
        EnumMap<Status, String> byStatus = new EnumMap<>(Status.class);
        byStatus.put(Status.SHIPPED, "s");
        jdk.put("enumMap", byStatus);
        BitSet bits = new BitSet();
        bits.set(3);
        bits.set(300);
        jdk.put("bits", bits);
        jdk.put("big", new BigInteger("123456789012345678901234567890"));
        jdk.put("decimal", new BigDecimal("3.14159"));
        jdk.put("uuid", new UUID(1, 2));
        jdk.put("uri", URI.create("https://example.invalid/a?b=c"));
        jdk.put("pattern", Pattern.compile("a+b", Pattern.CASE_INSENSITIVE));
        jdk.put("zoned", ZonedDateTime.of(2026, 3, 4, 5, 6, 7, 8, ZoneId.of("Europe/Paris")));
        jdk.put("optional", Optional.of("o"));
        collections.jdk = jdk;
        seeds.add(write(kryo, collections));

        State views = new State();
        List<Object> inner = new ArrayList<>(List.of("i1", "i2", "i3", "i4"));
        views.jdk = new ArrayList<>(List.of(List.of(1, 2, 3), Map.of("k", "v", "l", "w"), Set.of("s"),
                Collections.unmodifiableList(inner), Collections.synchronizedMap(new HashMap<>(Map.of("m", 1))),
                inner.subList(1, 3), Arrays.asList("x", "y"), Collections.checkedList(new ArrayList<>(List.of("c")),
                        String.class), List.of("a", "b").stream().toList()));
        seeds.add(write(kryo, views));

        State concurrent = new State();
        ArrayBlockingQueue<String> queue = new ArrayBlockingQueue<>(8, true);
        queue.add("q1");
        LongAdder adder = new LongAdder();
        adder.add(42);
        concurrent.jdk = new ArrayList<>(List.of(new ConcurrentHashMap<>(Map.of("c", 1)), queue,
                new CopyOnWriteArrayList<>(List.of("w")), new AtomicLong(9), new AtomicReference<>("r"), adder,
                new StringBuilder("builder"), new IllegalStateException("boom", new RuntimeException("cause"))));
        seeds.add(write(kryo, concurrent));
        return seeds;
    }

    private static byte[] write(Kryo kryo, State state) {
        return ValueGraph.write(kryo, new Output(1024, -1), List.of(state, state.note == null ? "" : state.note));
    }

    @Test
    void damagedBytesEndInAClearExceptionAndNothingElse() throws Exception {
        List<byte[]> seeds = seeds();
        HostileInputTest.RecordingLoader loader = new HostileInputTest.RecordingLoader();
        Kryo reader = SnapshotKryo.create(loader, ALLOWED);
        for (byte[] seed : seeds) { // the seeds themselves read back
            ValueGraph.read(reader, seed, 2);
        }
        long[] outcomes = fuzz(reader, seeds, CASES);
        for (String name : loader.asked) {
            assertTrue(ALLOWED.allows(name), "loaded " + name);
        }
        System.out.printf("fuzz: %d cases from %d: %d read, %d refused%n", CASES, FIRST, outcomes[0], outcomes[1]);
    }

    /** The same damaged bytes, read without the application's classes as inspect reads them. */
    @Test
    void damagedBytesReadWithoutClassesEndInAClearExceptionAndNothingElse() throws Exception {
        Kryo reader = SnapshotKryo.createWithoutClasses();
        List<byte[]> seeds = new ArrayList<>();
        for (byte[] seed : seeds()) {
            try {
                ValueGraph.read(reader, seed, 2);
                seeds.add(seed);
            } catch (KryoException needsTheClass) {
                // an EnumMap of an application enum: its serializer needs the enum class
            }
        }
        assertTrue(seeds.size() >= 3, seeds.size() + " of the seeds read without classes");
        long[] outcomes = fuzz(reader, seeds, Math.max(1, CASES / 5));
        System.out.printf("fuzz without classes: %d cases from %d: %d read, %d refused%n", Math.max(1, CASES / 5), FIRST, outcomes[0],
                outcomes[1]);
    }

    /** Reads {@code cases} mutations of the seeds; each must end in a value or a KryoException, promptly and within bounds. */
    private static long[] fuzz(Kryo reader, List<byte[]> seeds, long cases) throws InterruptedException {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long[] current = {FIRST};
        long[] outcomes = new long[2]; // read, refused
        Throwable[] failure = {null};
        Thread worker = new Thread(() -> {
            try {
                for (long n = FIRST; n < FIRST + cases; n++) {
                    current[0] = n;
                    byte[] input = mutate(new Random(n), seeds);
                    long before = threads.getCurrentThreadAllocatedBytes();
                    try {
                        ValueGraph.read(reader, input, 2);
                        outcomes[0]++;
                    } catch (KryoException e) {
                        outcomes[1]++;
                    } catch (Throwable t) {
                        throw new AssertionError("case " + n + " ended in " + t, t);
                    }
                    long used = threads.getCurrentThreadAllocatedBytes() - before;
                    if (used > MAX_ALLOCATION) {
                        java.nio.file.Files.write(java.nio.file.Path.of("target", "fuzz-case-" + n + ".bin"), input);
                        throw new AssertionError("case " + n + " allocated " + used + " bytes for " + input.length);
                    }
                }
            } catch (Throwable t) {
                failure[0] = t;
            }
        }, "fuzz");
        worker.setDaemon(true);
        worker.start();
        long seen = -1;
        long stalledSince = System.nanoTime();
        while (worker.isAlive()) {
            worker.join(1_000);
            if (current[0] != seen) {
                seen = current[0];
                stalledSince = System.nanoTime();
            } else if (System.nanoTime() - stalledSince > STALL.toNanos()) {
                fail("case " + seen + " has not ended in " + STALL.toSeconds() + " s: "
                        + Arrays.toString(worker.getStackTrace()));
            }
        }
        if (failure[0] != null) {
            throw new AssertionError(failure[0]);
        }
        assertTrue(outcomes[0] > 0 && outcomes[1] > 0, "read " + outcomes[0] + ", refused " + outcomes[1]);
        return outcomes;
    }

    private static byte[] mutate(Random random, List<byte[]> seeds) {
        byte[] bytes = seeds.get(random.nextInt(seeds.size())).clone();
        int mutations = 1 + random.nextInt(4);
        for (int m = 0; m < mutations && bytes.length > 0; m++) {
            int at = random.nextInt(bytes.length);
            switch (random.nextInt(9)) {
                case 0 -> bytes[at] ^= (byte) (1 << random.nextInt(8));
                case 1 -> bytes[at] = (byte) random.nextInt(256);
                case 2 -> bytes[at] = new byte[] {0, 1, 0x7F, (byte) 0x80, (byte) 0xFF}[random.nextInt(5)];
                case 3 -> bytes = splice(bytes, at, 0, new byte[] {(byte) 0xFE, (byte) 0xFF, (byte) 0xFF,
                        (byte) 0xFF, 0x07});
                case 4 -> bytes = splice(bytes, at, 0, randomBytes(random, 1 + random.nextInt(8)));
                case 5 -> bytes = splice(bytes, at, Math.min(1 + random.nextInt(16), bytes.length - at), new byte[0]);
                case 6 -> bytes = splice(bytes, at, 0, Arrays.copyOfRange(bytes, at,
                        Math.min(bytes.length, at + 1 + random.nextInt(32))));
                case 7 -> bytes = Arrays.copyOf(bytes, at);
                default -> {
                    byte[] other = seeds.get(random.nextInt(seeds.size()));
                    int from = random.nextInt(other.length);
                    bytes = splice(bytes, at, bytes.length - at, Arrays.copyOfRange(other, from, other.length));
                }
            }
        }
        return bytes;
    }

    private static byte[] splice(byte[] bytes, int at, int remove, byte[] insert) {
        byte[] result = new byte[bytes.length - remove + insert.length];
        System.arraycopy(bytes, 0, result, 0, at);
        System.arraycopy(insert, 0, result, at, insert.length);
        System.arraycopy(bytes, at + remove, result, at + insert.length, bytes.length - at - remove);
        return result;
    }

    private static byte[] randomBytes(Random random, int n) {
        byte[] bytes = new byte[n];
        random.nextBytes(bytes);
        return bytes;
    }
}
