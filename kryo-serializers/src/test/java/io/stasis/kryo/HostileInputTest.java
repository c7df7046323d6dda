package io.stasis.kryo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.Output;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Bytes that name classes outside the allowed ones, or declare sizes and depths meant to exhaust the reader. */
class HostileInputTest {

    static final String CANARY = "io.stasis.canary.Canary";

    /** The application's root: what its fields declare is what restore may create. */
    static class Root {
        List<Item> items = new ArrayList<>();
        Shape shape;
        Object extra;
    }

    record Item(String name, int[] counts) {
    }

    sealed interface Shape permits Circle, Square {
    }

    record Circle(double radius) implements Shape {
    }

    record Square(double side) implements Shape {
    }

    static class Unlisted {
        int value = 7;
    }

    static class Link {
        Link next;
    }

    /** Records every class name it is asked for. */
    static final class RecordingLoader extends ClassLoader {
        final Set<String> asked = ConcurrentHashMap.newKeySet();

        RecordingLoader() {
            super(HostileInputTest.class.getClassLoader());
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            asked.add(name);
            return super.loadClass(name, resolve);
        }
    }

    private static final AllowedClasses FOR_ROOT = AllowedClasses.jdk().andReachableFrom(Root.class);

    private static byte[] writeTrusting(Object... values) throws Exception {
        ClassLoader loader = HostileInputTest.class.getClassLoader();
        return ValueGraph.write(SnapshotKryo.create(loader, AllowedClasses.any()), new Output(256, -1), List.of(values));
    }

    private static Object canary() throws Exception {
        return Class.forName(CANARY, false, HostileInputTest.class.getClassLoader()).getConstructor().newInstance();
    }

    @Test
    void typesReachableFromTheRootsDeclaredTypesAreAllowed() {
        Root root = new Root();
        root.items.add(new Item("a", new int[] {1, 2}));
        root.shape = new Square(2);
        root.extra = Map.of("k", List.of(1L, 2L));
        Kryo kryo = SnapshotKryo.create(getClass().getClassLoader(), FOR_ROOT);
        byte[] bytes = ValueGraph.write(kryo, new Output(256, -1), List.of(root));
        Root back = (Root) ValueGraph.read(SnapshotKryo.create(getClass().getClassLoader(), FOR_ROOT), bytes, 1).get(0);
        assertEquals("a", back.items.get(0).name());
        assertEquals(new Square(2), back.shape);
        assertEquals(root.extra, back.extra);
    }

    @Test
    void aClassOutsideTheAllowedOnesIsRefusedWhenWrittenWithThePathToIt() {
        Root root = new Root();
        root.extra = new ArrayList<>(List.of(new Unlisted()));
        Kryo kryo = SnapshotKryo.create(getClass().getClassLoader(), FOR_ROOT);
        GraphWriteException e = assertThrows(GraphWriteException.class,
                () -> ValueGraph.write(kryo, new Output(256, -1), List.of(root)));
        assertEquals(List.of("HostileInputTest$Root.extra"), e.path());
        ClassNotAllowedException cause = assertInstanceOf(ClassNotAllowedException.class, e.getCause());
        assertEquals(Unlisted.class.getName(), cause.className());

        Kryo allowing = SnapshotKryo.create(getClass().getClassLoader(),
                FOR_ROOT.andPackages(List.of(Unlisted.class.getName())));
        ValueGraph.write(allowing, new Output(256, -1), List.of(root));
    }

    @Test
    void anUnlistedClassIsRefusedBeforeItIsLoaded() throws Exception {
        Map<String, Supplier<Object>> hiding = new java.util.LinkedHashMap<>();
        Object canary = canary();
        Object canaryArray = java.lang.reflect.Array.newInstance(canary.getClass(), 1);
        hiding.put("as a value", () -> canary);
        hiding.put("in a list", () -> new ArrayList<>(List.of(canary)));
        hiding.put("in a map", () -> new HashMap<>(Map.of("k", canary)));
        hiding.put("as an array type", () -> canaryArray);
        hiding.put("as a Class value", canary::getClass);
        hiding.put("in a serial form (checked list)", () -> Collections.checkedList(new ArrayList<>(), canary.getClass()));
        for (Map.Entry<String, Supplier<Object>> hidden : hiding.entrySet()) {
            byte[] bytes = writeTrusting(hidden.getValue().get());
            RecordingLoader loader = new RecordingLoader();
            KryoException e = assertThrows(KryoException.class,
                    () -> ValueGraph.read(SnapshotKryo.create(loader, FOR_ROOT), bytes, 1), hidden.getKey());
            assertTrue(e.getMessage().contains(CANARY + " is not allowed")
                    || e.getMessage().contains("[L" + CANARY + "; is not allowed"), hidden.getKey() + ": " + e);
            assertFalse(loader.asked.stream().anyMatch(name -> name.contains("Canary")),
                    hidden.getKey() + ": asked the loader for " + loader.asked);
        }
    }

    @Test
    void anInterfaceNamedWhereAnObjectIsReadIsRefused() {
        Output bytes = new Output(64, -1);
        bytes.writeVarInt(1, true); // a class written by name: Kryo's NAME + 2
        bytes.writeVarInt(0, true); // its name id
        bytes.writeString("java.util.Comparator");
        bytes.writeByte(1); // not null, a new object
        // JDK 17 refuses with an InstantiationError, JDK 25 with an exception: either way a KryoException.
        assertThrows(KryoException.class,
                () -> ValueGraph.read(SnapshotKryo.create(getClass().getClassLoader()), bytes.toBytes(), 1));
    }

    @Test
    void packagesAllowedExplicitlyAreRestored() throws Exception {
        byte[] bytes = writeTrusting(canary());
        Object back = ValueGraph.read(SnapshotKryo.create(getClass().getClassLoader(),
                FOR_ROOT.andPackages(List.of("io.stasis.canary.*"))), bytes, 1).get(0);
        assertEquals(CANARY, back.getClass().getName());
    }

    @Test
    void jdkTypesOutsideTheSupportedOnesAreRefused() throws Exception {
        AllowedClasses jdk = AllowedClasses.jdk();
        for (String name : List.of("java.lang.ProcessBuilder", "java.lang.Runtime", "javax.management.BadAttributeValueExpException",
                "com.sun.org.apache.xalan.internal.xsltc.trax.TemplatesImpl", "java.beans.EventHandler", "java.net.Socket",
                "sun.misc.Unsafe", "java.lang.reflect.Proxy", "[Ljava.lang.Thread;", "[X")) {
            assertFalse(jdk.allows(name), name);
        }
        for (String name : List.of("java.util.HashMap", "java.lang.Integer", "[[I", "[Ljava.lang.String;",
                "java.lang.IllegalStateException", "java.util.concurrent.TimeUnit", "java.time.ZonedDateTime",
                "java.lang.String$CaseInsensitiveComparator")) {
            assertTrue(jdk.allows(name), name);
        }
        assertThrows(IllegalArgumentException.class, () -> jdk.andPackages(List.of("*")));
        assertThrows(IllegalArgumentException.class, () -> jdk.andPackages(List.of("com.*.acme")));
    }

    @Test
    void declaredLengthsBeyondTheInputAreRefusedWithoutAllocatingThem() throws Exception {
        // Each value twice, the second one element longer: the first byte where their forms differ is the length.
        Map<String, List<Object>> pairs = new java.util.LinkedHashMap<>();
        pairs.put("ArrayList", List.of(new ArrayList<>(List.of(1, 2)), new ArrayList<>(List.of(1, 2, 3))));
        pairs.put("HashMap", List.of(new HashMap<>(Map.of("a", 1)), new HashMap<>(Map.of("a", 1, "b", 2))));
        pairs.put("HashSet", List.of(new java.util.HashSet<>(List.of("a")), new java.util.HashSet<>(List.of("a", "b"))));
        pairs.put("Object[]", List.of(new Object[] {"a"}, new Object[] {"a", "b"}));
        pairs.put("int[]", List.of(new int[] {1}, new int[] {1, 2}));
        pairs.put("double[]", List.of(new double[] {1}, new double[] {1, 2}));
        pairs.put("String", List.of("ünï", "ünïc"));
        pairs.put("List.of", List.of(List.of("a", "b", "c"), List.of("a", "b", "c", "d")));
        pairs.put("BigInteger", List.of(java.math.BigInteger.valueOf(5), java.math.BigInteger.valueOf(500)));
        pairs.put("ArrayBlockingQueue", List.of(new java.util.concurrent.ArrayBlockingQueue<>(3),
                new java.util.concurrent.ArrayBlockingQueue<>(4)));
        pairs.put("StringBuilder", List.of(new StringBuilder(3), new StringBuilder(4)));
        for (Map.Entry<String, List<Object>> pair : pairs.entrySet()) {
            byte[] small = writeTrusting(pair.getValue().get(0));
            byte[] larger = writeTrusting(pair.getValue().get(1));
            int at = 0;
            while (small[at] == larger[at]) {
                at++;
            }
            byte[] bomb = withVarint(small, at, Integer.MAX_VALUE - 1);
            long before = allocated();
            KryoException e = assertThrows(KryoException.class,
                    () -> ValueGraph.read(SnapshotKryo.create(getClass().getClassLoader(), FOR_ROOT), bomb, 1),
                    pair.getKey());
            long used = allocated() - before;
            assertTrue(used < 16L << 20, pair.getKey() + " allocated " + used + " bytes");
            assertTrue(e.getMessage().contains("damaged input") || e.getMessage().contains("beyond the limit"),
                    pair.getKey() + ": " + e);
        }
    }

    /** {@code bytes} with the varint at {@code at} replaced by {@code value} (as Kryo writes positive varints). */
    private static byte[] withVarint(byte[] bytes, int at, int value) {
        int end = at;
        while ((bytes[end] & 0x80) != 0) {
            end++;
        }
        Output varint = new Output(5);
        varint.writeVarInt(value, true);
        byte[] encoded = varint.toBytes();
        byte[] result = new byte[bytes.length - (end + 1 - at) + encoded.length];
        System.arraycopy(bytes, 0, result, 0, at);
        System.arraycopy(encoded, 0, result, at, encoded.length);
        System.arraycopy(bytes, end + 1, result, at + encoded.length, bytes.length - end - 1);
        return result;
    }

    @Test
    void deepNestingIsRefusedOnWriteAndOnRead() throws InterruptedException {
        Kryo deep = SnapshotKryo.create(getClass().getClassLoader(), AllowedClasses.any());
        Link chain = chain(Limits.MAX_DEPTH + 100);
        KryoException onWrite = assertThrows(KryoException.class,
                () -> ValueGraph.write(deep, new Output(256, -1), List.of(chain)));
        assertTrue(onWrite.getMessage().contains("Max depth exceeded"), onWrite.getMessage());

        deep.setMaxDepth(Integer.MAX_VALUE); // a writer without the limit, on a stack large enough for it
        byte[][] written = new byte[1][];
        Thread writer = new Thread(null, () -> written[0] = ValueGraph.write(deep, new Output(256, -1), List.of(chain)),
                "deep-writer", 256L << 20);
        writer.start();
        writer.join();
        byte[] bytes = written[0];
        KryoException onRead = assertThrows(KryoException.class, () -> ValueGraph.read(
                SnapshotKryo.create(getClass().getClassLoader(), AllowedClasses.any()), bytes, 1));
        assertTrue(onRead.getMessage().contains("Max depth exceeded"), onRead.getMessage());
    }

    @Test
    void nestingUpToTheLimitFitsInAThreadsDefaultStack() throws Exception {
        Link chain = chain(Limits.MAX_DEPTH - 2);
        Throwable[] failure = {null};
        Thread thread = new Thread(() -> {
            try {
                Kryo kryo = SnapshotKryo.create(getClass().getClassLoader(), AllowedClasses.any());
                byte[] bytes = ValueGraph.write(kryo, new Output(256, -1), List.of(chain));
                Link back = (Link) ValueGraph.read(kryo, bytes, 1).get(0);
                int depth = 0;
                for (Link l = back; l != null; l = l.next) {
                    depth++;
                }
                assertEquals(Limits.MAX_DEPTH - 2, depth);
            } catch (Throwable t) {
                failure[0] = t;
            }
        });
        thread.start();
        thread.join();
        if (failure[0] != null) {
            throw new AssertionError(failure[0]);
        }
    }

    /**
     * {@code levels} sets, each holding two sets that share the next one: small to write, 2<sup>levels</sup>
     * steps to hash. Built top-down, each set added while still empty, so that building it hashes nothing.
     */
    static Set<Object> nestedSetBomb(int levels, Supplier<Set<Object>> newSet) {
        Set<Object> top = newSet.get();
        Set<Object> level = top;
        for (int i = 0; i < levels; i++) {
            Set<Object> left = newSet.get();
            Set<Object> right = newSet.get();
            left.add("l" + i);
            right.add("r" + i);
            level.add(left);
            level.add(right);
            Set<Object> shared = newSet.get();
            left.add(shared);
            right.add(shared);
            level = shared;
        }
        return top;
    }

    private static Map<Object, Object> nestedMapBomb(int levels) {
        Map<Object, Object> top = new HashMap<>();
        Map<Object, Object> level = top;
        for (int i = 0; i < levels; i++) {
            Map<Object, Object> left = new HashMap<>(Map.of("l", i));
            Map<Object, Object> right = new HashMap<>(Map.of("r", i));
            level.put(left, 1);
            level.put(right, 2);
            Map<Object, Object> shared = new HashMap<>();
            left.put(shared, 3);
            right.put(shared, 4);
            level = shared;
        }
        return top;
    }

    record Holder(Object value) {
    }

    /** Hashes what it holds, as an application class may. */
    static final class Box {
        Object value;

        Box(Object value) {
            this.value = value;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Box box && box.value.equals(value);
        }

        @Override
        public int hashCode() {
            return value.hashCode();
        }
    }

    @Test
    void sharedNestedSetsAreRefusedBeforeHashingThemGoesExponential() throws Exception {
        Map<String, Object> bombs = new java.util.LinkedHashMap<>();
        bombs.put("HashSet", nestedSetBomb(100, java.util.HashSet::new));
        bombs.put("LinkedHashSet", nestedSetBomb(100, java.util.LinkedHashSet::new));
        bombs.put("HashSet in a record", new Holder(nestedSetBomb(100, java.util.HashSet::new)));
        bombs.put("HashMap keys", nestedMapBomb(100));
        bombs.put("unmodifiable HashSet", Collections.unmodifiableSet(nestedSetBomb(100, java.util.HashSet::new)));
        for (Map.Entry<String, Object> bomb : bombs.entrySet()) {
            byte[] bytes = writeTrusting(bomb.getValue());
            assertTrue(bytes.length < 8192, bomb.getKey() + ": " + bytes.length + " bytes");
            // Without a bound, reading never ends: the hashing takes 2^100 steps.
            KryoException e = assertTimeoutPreemptively(java.time.Duration.ofSeconds(30), () -> assertThrows(
                    KryoException.class, () -> ValueGraph.read(SnapshotKryo.create(getClass().getClassLoader(),
                            AllowedClasses.any()), bytes, 1)), bomb.getKey());
            assertInstanceOf(GraphTooCostlyException.class, e, bomb.getKey() + ": " + e);
        }
    }

    /**
     * Bytes whose writer is authenticated are rebuilt without the budget, and only those: a bomb
     * just past it (2<sup>23</sup> sets hashed, a few seconds) is refused when read as usual,
     * restored when read as authenticated, and refused again by the same Kryo afterwards.
     */
    @Test
    void onlyAuthenticatedBytesAreRebuiltWithoutTheBudget() throws Exception {
        Set<Object> bomb = nestedSetBomb(23, java.util.HashSet::new);
        byte[] bytes = writeTrusting(bomb);
        Kryo kryo = SnapshotKryo.create(getClass().getClassLoader(), AllowedClasses.any());
        assertThrows(GraphTooCostlyException.class, () -> ValueGraph.read(kryo, bytes, 1));
        Object rebuilt = assertTimeoutPreemptively(java.time.Duration.ofSeconds(60),
                () -> ValueGraph.readAuthenticated(kryo, bytes, 1).get(0));
        assertEquals(bomb.size(), ((Set<?>) rebuilt).size());
        assertThrows(GraphTooCostlyException.class, () -> ValueGraph.read(kryo, bytes, 1));
        // The allow-list still holds for authenticated bytes.
        byte[] unlisted = writeTrusting(new ArrayList<>(List.of(new Unlisted())));
        KryoException e = assertThrows(KryoException.class, () -> ValueGraph.readAuthenticated(
                SnapshotKryo.create(getClass().getClassLoader(), FOR_ROOT), unlisted, 1));
        assertTrue(e.getMessage().contains(Unlisted.class.getName() + " is not allowed"), e.toString());
    }

    private static BudgetedKryo trustingKryo() {
        return (BudgetedKryo) SnapshotKryo.create(HostileInputTest.class.getClassLoader(), AllowedClasses.any());
    }

    enum Colour { RED, GREEN }

    /** A tree is read once, under the cheap check; strings, boxes and enum constants may be shared in it. */
    @Test
    void aTreeIsReadOnceWithoutTheBudgetsBookkeeping() throws Exception {
        String longText = "a string too long to be written again in full: " + "x".repeat(40);
        Map<String, Object> tree = new HashMap<>();
        for (int i = 0; i < 1_000; i++) {
            tree.put("k" + i, new java.util.HashSet<>(List.of(new Holder(longText), Colour.RED, 1_000_000L + i % 3)));
        }
        BudgetedKryo kryo = trustingKryo();
        Map<?, ?> back = (Map<?, ?>) ValueGraph.read(kryo, writeTrusting(tree), 1).get(0);
        assertFalse(kryo.notATree());
        assertEquals(tree, back);
        String first = ((Holder) ((Set<?>) back.get("k0")).stream().filter(Holder.class::isInstance).findAny()
                .orElseThrow()).value().toString();
        String second = ((Holder) ((Set<?>) back.get("k1")).stream().filter(Holder.class::isInstance).findAny()
                .orElseThrow()).value().toString();
        assertTrue(first == second, "the shared string is read as one object");
    }

    /** Objects shared, and cycles, where nothing hashes them: read once, the sharing kept. */
    @Test
    void sharingWhereNothingHashesIsReadOnce() throws Exception {
        List<Object> shared = new ArrayList<>(List.of("shared"));
        Link cycle = new Link();
        cycle.next = cycle;
        BudgetedKryo kryo = trustingKryo();
        List<Object> back = ValueGraph.read(kryo, writeTrusting(new ArrayList<>(List.of(shared, 1, shared)), cycle), 2);
        assertFalse(kryo.notATree());
        List<?> list = (List<?>) back.get(0);
        assertEquals(List.of(List.of("shared"), 1, List.of("shared")), list);
        assertTrue(list.get(0) == list.get(2), "the shared list is read as one object");
        Link link = (Link) back.get(1);
        assertTrue(link.next == link, "the cycle is kept");
    }

    /** An object shared inside a map, a set or a record sends the read back to its start under the budget. */
    @Test
    void sharingInsideWhatHashesIsReadAgainUnderTheBudget() throws Exception {
        List<Object> shared = new ArrayList<>(List.of("shared"));
        BudgetedKryo kryo = trustingKryo();
        List<Object> back = ValueGraph.read(kryo, writeTrusting(
                new HashMap<>(Map.of("a", shared, "b", shared)), new Holder(new Holder(shared))), 2);
        assertTrue(kryo.notATree());
        Map<?, ?> map = (Map<?, ?>) back.get(0);
        assertEquals(Map.of("a", shared, "b", shared), map);
        assertTrue(map.get("a") == map.get("b") && ((Holder) ((Holder) back.get(1)).value()).value() == map.get("a"),
                "the shared list is read as one object");
        // The same Kryo reads the next graph under the cheap check again.
        ValueGraph.read(kryo, writeTrusting(new ArrayList<>(List.of(1, 2))), 1);
        assertFalse(kryo.notATree());
        // A record holding one object twice gives it up on its own.
        ValueGraph.read(kryo, writeTrusting(new Holder(new ArrayList<>(List.of(shared, shared)))), 1);
        assertTrue(kryo.notATree());
    }

    /** The writer says whether a graph shares objects, so that its restore can go to the budget straight away. */
    @Test
    void theWriterSaysWhetherAGraphSharesObjects() throws Exception {
        String longText = "a string too long to be written again in full: " + "x".repeat(40);
        List<Object> shared = new ArrayList<>(List.of("shared"));
        Link cycle = new Link();
        cycle.next = cycle;
        Kryo kryo = SnapshotKryo.create(getClass().getClassLoader(), AllowedClasses.any());
        Map<String, Boolean> cases = new java.util.LinkedHashMap<>();
        Map<String, Object> graphs = new java.util.LinkedHashMap<>();
        graphs.put("a tree sharing strings, boxes and enum constants", new ArrayList<>(
                List.of(longText, longText, 1_000_000L, 1_000_000L, Colour.RED, Colour.RED)));
        graphs.put("a list held twice", new ArrayList<>(List.of(shared, shared)));
        graphs.put("a cycle", cycle);
        graphs.put("only boxes, after a graph that shared", 7);
        for (Map.Entry<String, Object> graph : graphs.entrySet()) {
            byte[] bytes = ValueGraph.write(kryo, new Output(256, -1), List.of(graph.getValue()));
            cases.put(graph.getKey(), ValueGraph.sharesObjects(kryo));
            Object back = ValueGraph.readSharing(kryo, bytes, 1).get(0);
            if (back instanceof Link link) {
                assertTrue(link.next == link, "the cycle is kept");
            } else {
                assertEquals(graph.getValue(), back, graph.getKey());
            }
        }
        assertEquals(Map.of("a tree sharing strings, boxes and enum constants", false, "a list held twice", true,
                "a cycle", true, "only boxes, after a graph that shared", false), cases);
        assertFalse(ValueGraph.sharesObjects(new Kryo()));
        // Read under the budget from the start: a bomb is refused at once, whatever the writer said.
        byte[] bomb = writeTrusting(nestedSetBomb(100, java.util.HashSet::new));
        assertTimeoutPreemptively(java.time.Duration.ofSeconds(30), () -> assertThrows(GraphTooCostlyException.class,
                () -> ValueGraph.readSharing(kryo, bomb, 1)));
    }

    /**
     * A tree whose objects' depths add up past the budget (chains of links nested 450 deep) gives
     * the cheap check up, and is restored by the budget, which charges only what is hashed.
     */
    @Test
    void aTreeTooDeepForTheCheapCheckIsRestoredUnderTheBudget() throws Exception {
        List<Link> chains = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            chains.add(chain(450));
        }
        byte[] bytes = writeTrusting(chains);
        BudgetedKryo kryo = trustingKryo();
        List<?> back = (List<?>) ValueGraph.read(kryo, bytes, 1).get(0);
        assertTrue(kryo.notATree(), bytes.length + " bytes");
        assertEquals(100, back.size());
        int length = 0;
        for (Link l = (Link) back.get(99); l != null; l = l.next) {
            length++;
        }
        assertEquals(450, length);
    }

    @Test
    void aSnapshotKryoUsedDirectlyWithAutoResetStillCostsEachGraph() throws Exception {
        Kryo kryo = SnapshotKryo.create(getClass().getClassLoader(), AllowedClasses.any());
        Output output = new Output(256, -1);
        kryo.writeClassAndObject(output, new java.util.HashSet<>(List.of(Set.of(1), Set.of(2))));
        kryo.writeClassAndObject(output, nestedSetBomb(100, java.util.HashSet::new));
        com.esotericsoftware.kryo.io.Input input = new SnapshotInput(output.toBytes());
        assertEquals(new java.util.HashSet<>(List.of(Set.of(1), Set.of(2))), kryo.readClassAndObject(input));
        assertTimeoutPreemptively(java.time.Duration.ofSeconds(30),
                () -> assertThrows(GraphTooCostlyException.class, () -> kryo.readClassAndObject(input)));
    }

    @Test
    void sharingThatHashesLinearlyIsRestored() throws Exception {
        // A thousand sets sharing one large set, map values sharing it, and a deep unshared nesting.
        Set<Object> large = new java.util.HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            large.add("e" + i);
        }
        Set<Object> sharing = new java.util.HashSet<>();
        for (int i = 0; i < 1_000; i++) {
            sharing.add(new java.util.HashSet<>(List.of(large, i)));
        }
        Object nested = "leaf";
        for (int i = 0; i < 200; i++) {
            nested = new java.util.HashSet<>(List.of(nested, i));
        }
        Map<Object, Object> values = new HashMap<>();
        for (int i = 0; i < 100_000; i++) {
            values.put(i, new Box(large));
        }
        values.put("sharing", sharing);
        values.put("nested", nested);
        byte[] bytes = writeTrusting(values);
        Map<?, ?> back = (Map<?, ?>) ValueGraph.read(
                SnapshotKryo.create(getClass().getClassLoader(), AllowedClasses.any()), bytes, 1).get(0);
        assertEquals(values.size(), back.size());
        assertEquals(sharing, back.get("sharing"));
        assertEquals(nested, back.get("nested"));
        Object largeBack = ((Box) back.get(0)).value;
        assertEquals(large, largeBack);
        for (int i = 0; i < 100_000; i++) {
            assertTrue(((Box) back.get(i)).value == largeBack, "shared");
        }
    }

    private static Link chain(int length) {
        Link head = null;
        for (int i = 0; i < length; i++) {
            Link link = new Link();
            link.next = head;
            head = link;
        }
        return head;
    }

    private static long allocated() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    /** Adding to a CopyOnWriteArrayList copies it: read one by one, n elements cost n² (a gigabyte for 20,000). */
    @Test
    void aLongCopyOnWriteListReadsInLinearMemory() {
        java.util.concurrent.CopyOnWriteArrayList<Object> list = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<Object> elements = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            elements.add(i % 100);
        }
        list.addAll(elements);
        list.add(list); // and itself: the reference resolves to the list read
        byte[] bytes = ValueGraph.write(SnapshotKryo.create(getClass().getClassLoader()), new Output(1024, -1), List.of(list));
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        List<?> read = (List<?>) ValueGraph.read(SnapshotKryo.create(getClass().getClassLoader()), bytes, 1).get(0);
        long used = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(used < 32L << 20, used + " bytes allocated to read " + bytes.length);
        assertInstanceOf(java.util.concurrent.CopyOnWriteArrayList.class, read);
        assertEquals(elements, read.subList(0, 20_000));
        assertTrue(read.get(20_000) == read, "the list inside itself");

        java.util.concurrent.CopyOnWriteArraySet<Object> set = new java.util.concurrent.CopyOnWriteArraySet<>(elements.subList(0, 100));
        bytes = ValueGraph.write(SnapshotKryo.create(getClass().getClassLoader()), new Output(1024, -1), List.of(set));
        Object readSet = ValueGraph.read(SnapshotKryo.create(getClass().getClassLoader()), bytes, 1).get(0);
        assertInstanceOf(java.util.concurrent.CopyOnWriteArraySet.class, readSet);
        assertEquals(List.copyOf(set), List.copyOf((java.util.Collection<?>) readSet));
    }
}
