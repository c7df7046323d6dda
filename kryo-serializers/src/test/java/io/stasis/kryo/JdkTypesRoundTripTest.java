package io.stasis.kryo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.esotericsoftware.kryo.io.Output;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.Month;
import java.time.MonthDay;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.Period;
import java.time.Year;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.chrono.HijrahDate;
import java.time.chrono.IsoChronology;
import java.time.chrono.JapaneseDate;
import java.time.chrono.JapaneseEra;
import java.time.chrono.MinguoDate;
import java.time.chrono.ThaiBuddhistDate;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.time.temporal.ChronoUnit;
import java.time.temporal.ValueRange;
import java.time.temporal.WeekFields;
import java.util.AbstractMap;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.Currency;
import java.util.Date;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Hashtable;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.LinkedList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.PriorityQueue;
import java.util.Properties;
import java.util.Queue;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.Stack;
import java.util.TimeZone;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.Vector;
import java.util.WeakHashMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.PriorityBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicMarkableReference;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.AtomicStampedReference;
import java.util.concurrent.atomic.DoubleAccumulator;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;
import java.util.function.DoubleBinaryOperator;
import java.util.function.LongBinaryOperator;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One case per JDK type: the value is written with {@link SnapshotKryo} (twice, as two values of one
 * graph) and read back with a fresh one; the copy must equal the original by the type's own
 * semantics and both values must come back as one object. Runs without {@code --add-opens}, on
 * JDK 17, on JDK 25, and on JDK 25 with {@code --sun-misc-unsafe-memory-access=deny
 * -Dkryo.unsafe=false} (see this module's pom).
 */
class JdkTypesRoundTripTest {

    // ---------------------------------------------------------------- test fixtures

    enum Color {
        RED, GREEN, BLUE {
            @Override
            public String toString() {
                return "blue!";
            }
        }
    }

    /** A comparator of the application's own, with state of its own. */
    static final class ByLength implements Comparator<String> {
        private final boolean longestFirst;

        ByLength(boolean longestFirst) {
            this.longestFirst = longestFirst;
        }

        @Override
        public int compare(String a, String b) {
            int byLength = longestFirst ? Integer.compare(b.length(), a.length()) : Integer.compare(a.length(), b.length());
            return byLength != 0 ? byLength : a.compareTo(b);
        }
    }

    /** An accumulator function that is an ordinary (Kryo-serializable) class. */
    static final class MaxOf implements LongBinaryOperator {
        @Override
        public long applyAsLong(long left, long right) {
            return Math.max(left, right);
        }
    }

    static final class Times implements DoubleBinaryOperator {
        @Override
        public double applyAsDouble(double left, double right) {
            return left * right;
        }
    }

    record Due(String name, long epochMilli) implements Delayed {
        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(epochMilli - System.currentTimeMillis(), TimeUnit.MILLISECONDS);
        }

        @Override
        public int compareTo(Delayed other) {
            return Long.compare(epochMilli, ((Due) other).epochMilli);
        }
    }

    /** A custom exception with fields of its own and a message of its own. */
    static class OrderFailed extends IllegalStateException {
        private final String orderId;
        private int attempts;
        private transient Object scratch = "not kept";

        OrderFailed(String orderId, int attempts, Throwable cause) {
            super("order " + orderId, cause);
            this.orderId = orderId;
            this.attempts = attempts;
        }

        @Override
        public String getMessage() {
            return super.getMessage() + " failed after " + attempts + " attempts";
        }
    }

    // ---------------------------------------------------------------- the round trip

    private static List<Object> roundTrip(Object... values) {
        ClassLoader loader = JdkTypesRoundTripTest.class.getClassLoader();
        byte[] bytes = ValueGraph.write(TestKryo.create(loader), new Output(256, -1), List.of(values));
        return ValueGraph.read(TestKryo.create(loader), bytes, values.length);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void roundTrips(Case testCase) {
        Object original = testCase.value.get();
        List<Object> back = roundTrip(original, original);
        Object copy = back.get(0);
        assertNotNull(copy);
        assertSame(copy, back.get(1), "a value written twice in one graph must come back as one object");
        assertEquals(original.getClass(), copy.getClass(), "runtime class");
        testCase.check.accept(original, copy);
    }

    record Case(String name, Supplier<Object> value, BiConsumer<Object, Object> check) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Arguments c(String name, Supplier<Object> value, BiConsumer<Object, Object> check) {
        return Arguments.of(Named.of(name, new Case(name, value, check)));
    }

    private static Arguments c(String name, Supplier<Object> value) {
        return c(name, value, JdkTypesRoundTripTest::equalAndSameOrder);
    }

    // ---------------------------------------------------------------- checks

    static void equalAndSameOrder(Object original, Object copy) {
        assertEquals(original, copy);
        if (original instanceof Collection<?> collection) {
            assertEquals(new ArrayList<>(collection), new ArrayList<>((Collection<?>) copy), "iteration order");
        } else if (original instanceof Map<?, ?> map) {
            assertEquals(new ArrayList<>(map.entrySet()), new ArrayList<>(((Map<?, ?>) copy).entrySet()), "iteration order");
        }
    }

    static void equal(Object original, Object copy) {
        assertEquals(original, copy);
    }

    static void sameToString(Object original, Object copy) {
        assertEquals(original.toString(), copy.toString());
    }

    static void sameElementsInOrder(Object original, Object copy) {
        assertEquals(new ArrayList<>((Collection<?>) original), new ArrayList<>((Collection<?>) copy));
    }

    /** Sorted containers: same content, same order and a comparator that orders a new element the same way. */
    static BiConsumer<Object, Object> sorted(Object probe) {
        return (original, copy) -> {
            equalAndSameOrder(original, copy);
            Comparator<?> originalComparator = comparatorOf(original);
            Comparator<?> copyComparator = comparatorOf(copy);
            if (originalComparator == null) {
                assertNull(copyComparator);
            } else {
                assertEquals(originalComparator.getClass(), copyComparator.getClass(), "comparator class");
            }
            addProbe(original, probe);
            addProbe(copy, probe);
            equalAndSameOrder(original, copy);
        };
    }

    @SuppressWarnings("unchecked")
    private static void addProbe(Object container, Object probe) {
        if (container instanceof Map<?, ?> map) {
            ((Map<Object, Object>) map).put(probe, probe);
        } else {
            ((Collection<Object>) container).add(probe);
        }
    }

    private static Comparator<?> comparatorOf(Object container) {
        if (container instanceof SortedSet<?> set) {
            return set.comparator();
        }
        if (container instanceof SortedMap<?, ?> map) {
            return map.comparator();
        }
        if (container instanceof PriorityQueue<?> queue) {
            return queue.comparator();
        }
        return ((PriorityBlockingQueue<?>) container).comparator();
    }

    /** Queues without equals: same elements in the same order, same capacity where observable. */
    static void sameQueue(Object original, Object copy) {
        assertArrayEquals(((Collection<?>) original).toArray(), ((Collection<?>) copy).toArray());
        if (original instanceof BlockingQueue<?> queue) {
            assertEquals(queue.remainingCapacity(), ((BlockingQueue<?>) copy).remainingCapacity(), "remaining capacity");
        }
    }

    /** Heaps: same comparator class, same order when drained. */
    static void samePriorityOrder(Object original, Object copy) {
        Comparator<?> cmp = comparatorOf(original);
        Comparator<?> copyCmp = comparatorOf(copy);
        assertEquals(cmp == null ? null : cmp.getClass(), copyCmp == null ? null : copyCmp.getClass(), "comparator class");
        assertEquals(drain((Queue<?>) original), drain((Queue<?>) copy));
    }

    private static List<Object> drain(Queue<?> queue) {
        List<Object> out = new ArrayList<>();
        for (Object next = queue.poll(); next != null; next = queue.poll()) {
            out.add(next);
        }
        return out;
    }

    static void sameUnmodifiable(Object original, Object copy) {
        equalAndSameOrder(original, copy);
        if (original instanceof List<?> list) {
            assertEquals(nullQuery(list), nullQuery((List<?>) copy), "indexOf(null) answers or throws as the original");
        }
        try {
            if (copy instanceof Map<?, ?> map) {
                map.clear();
            } else {
                ((Collection<?>) copy).clear();
            }
            if (!((copy instanceof Map<?, ?> m && m.isEmpty()) || (copy instanceof Collection<?> c && c.isEmpty()))) {
                throw new AssertionError("clear() on an unmodifiable copy changed nothing and did not throw");
            }
            throw new AssertionError("the copy is modifiable");
        } catch (UnsupportedOperationException expected) {
            // as the original
        }
    }

    private static String nullQuery(List<?> list) {
        try {
            return "answers " + list.indexOf(null);
        } catch (NullPointerException e) {
            return "throws";
        }
    }

    static void sameThrowable(Object original, Object copy) {
        Throwable a = (Throwable) original;
        Throwable b = (Throwable) copy;
        assertEquals(a.getClass(), b.getClass());
        assertEquals(a.getMessage(), b.getMessage());
        assertEquals(a.getLocalizedMessage(), b.getLocalizedMessage());
        assertArrayEquals(a.getStackTrace(), b.getStackTrace());
        assertEquals(a.getSuppressed().length, b.getSuppressed().length);
        for (int i = 0; i < a.getSuppressed().length; i++) {
            sameThrowable(a.getSuppressed()[i], b.getSuppressed()[i]);
        }
        if (a.getCause() == null || a.getCause() == a) {
            assertNull(b.getCause());
        } else {
            sameThrowable(a.getCause(), b.getCause());
        }
        if (a instanceof OrderFailed x) {
            OrderFailed y = (OrderFailed) b;
            assertEquals(x.orderId, y.orderId);
            assertEquals(x.attempts, y.attempts);
            assertNull(y.scratch, "transient fields are not kept");
        }
        if (a instanceof DateTimeParseException x) {
            assertEquals(x.getParsedString(), ((DateTimeParseException) b).getParsedString());
            assertEquals(x.getErrorIndex(), ((DateTimeParseException) b).getErrorIndex());
        }
        if (a instanceof FileSystemException x) {
            assertEquals(x.getFile(), ((FileSystemException) b).getFile());
            assertEquals(x.getOtherFile(), ((FileSystemException) b).getOtherFile());
            assertEquals(x.getReason(), ((FileSystemException) b).getReason());
        }
    }

    static void sameArray(Object original, Object copy) {
        assertTrue(Arrays.deepEquals(new Object[] {original}, new Object[] {copy}));
    }

    // ---------------------------------------------------------------- values

    private static <T extends Collection<String>> T fill(T target, String... values) {
        target.addAll(Arrays.asList(values));
        return target;
    }

    private static <M extends Map<String, Integer>> M fillMap(M map) {
        map.put("one", 1);
        map.put("three", 3);
        map.put("two", 2);
        map.put("four", 4);
        return map;
    }

    private static List<String> abc() {
        return new ArrayList<>(List.of("a", "b", "c", "d", "e"));
    }

    private static LinkedHashMap<String, Integer> lru() {
        LinkedHashMap<String, Integer> map = fillMap(new LinkedHashMap<>(16, 0.75f, true));
        map.get("one");
        return map;
    }

    /** {@code Collections.<method>(sample)}, a JDK 21 method: the case is skipped on older JDKs. */
    private static Object sequenced(String method, String parameterType, Object sample) {
        try {
            return Collections.class.getMethod(method, Class.forName(parameterType)).invoke(null, sample);
        } catch (ClassNotFoundException | NoSuchMethodException e) {
            Assumptions.abort("Collections." + method + " is JDK 21+");
            return null;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Throwable withTrace(Throwable t) {
        t.setStackTrace(new StackTraceElement[] {
            new StackTraceElement("app", "com.acme.Mod", "1.0", "com.acme.Worker", "run", "Worker.java", 42),
            new StackTraceElement("com.acme.Main", "main", null, -2),
        });
        return t;
    }

    private static Throwable richThrowable() {
        IOException root = new IOException("disk full");
        Throwable main = new OrderFailed("A-17", 3, root);
        main.addSuppressed(new IllegalArgumentException("close failed"));
        main.addSuppressed(withTrace(new RuntimeException((String) null)));
        return main;
    }

    @SuppressWarnings("unchecked")
    static Stream<Arguments> cases() {
        return Stream.of(
                // java.util lists
                c("ArrayList", () -> fill(new ArrayList<>(), "x", null, "y")),
                c("LinkedList", () -> fill(new LinkedList<>(), "x", null, "y")),
                c("Vector", () -> {
                    Vector<String> v = new Vector<>(40);
                    v.add("x");
                    return v;
                }, (a, b) -> {
                    equalAndSameOrder(a, b);
                    assertEquals(((Vector<?>) a).capacity(), ((Vector<?>) b).capacity(), "capacity");
                }),
                c("Stack", () -> {
                    Stack<String> s = new Stack<>();
                    s.push("bottom");
                    s.push("top");
                    s.ensureCapacity(33);
                    return s;
                }, (a, b) -> {
                    equalAndSameOrder(a, b);
                    assertEquals(((Stack<?>) a).capacity(), ((Stack<?>) b).capacity(), "capacity");
                    assertEquals("top", ((Stack<?>) b).peek());
                }),
                c("Arrays.asList", () -> Arrays.asList("x", null, "y")),
                c("Arrays.asList over String[] (array type kept)", () -> Arrays.asList(new String[] {"x", "y"}), (a, b) -> {
                    equalAndSameOrder(a, b);
                    assertEquals(((List<?>) a).toArray(new Object[0]).getClass(), ((List<?>) b).toArray(new Object[0]).getClass());
                }),
                c("ArrayList.subList", () -> abc().subList(1, 4)),
                c("ArrayList.subList.subList", () -> abc().subList(1, 4).subList(1, 2)),
                c("LinkedList.subList", () -> new LinkedList<>(abc()).subList(1, 3)),
                c("Arrays.asList.subList", () -> Arrays.asList("a", "b", "c").subList(1, 3)),
                c("CopyOnWriteArrayList.subList", () -> new CopyOnWriteArrayList<>(abc()).subList(0, 2)),
                c("List.of().subList", () -> List.of("a", "b", "c", "d").subList(1, 3), JdkTypesRoundTripTest::sameUnmodifiable),
                c("Stream.toList().subList with nulls", () -> Stream.of("a", null, "c", "d").toList().subList(0, 3),
                        JdkTypesRoundTripTest::sameUnmodifiable),
                c("Vector.subList", () -> new Vector<>(abc()).subList(1, 3)),
                c("List.of()", () -> List.of(), JdkTypesRoundTripTest::sameUnmodifiable),
                c("List.of(1)", () -> List.of("a"), JdkTypesRoundTripTest::sameUnmodifiable),
                c("List.of(1,2)", () -> List.of("a", "b"), JdkTypesRoundTripTest::sameUnmodifiable),
                c("List.of(n)", () -> List.of("a", "b", "c"), JdkTypesRoundTripTest::sameUnmodifiable),
                c("List.copyOf", () -> List.copyOf(abc()), JdkTypesRoundTripTest::sameUnmodifiable),
                c("Stream.toList() with nulls", () -> Stream.of("a", null, "c").toList(), (a, b) -> {
                    sameUnmodifiable(a, b);
                    assertEquals(1, ((List<?>) b).indexOf(null));
                }),
                c("Stream.toList() empty", () -> Stream.of().toList(), JdkTypesRoundTripTest::sameUnmodifiable),
                c("Stream.toList() of one", () -> Stream.of("a").toList(), JdkTypesRoundTripTest::sameUnmodifiable),
                c("Stream.toList() of two", () -> Stream.of("a", "b").toList(), JdkTypesRoundTripTest::sameUnmodifiable),
                c("Stream.toList() without nulls", () -> Stream.of("a", "b", "c").toList(), JdkTypesRoundTripTest::sameUnmodifiable),
                c("Collections.nCopies", () -> Collections.nCopies(4, "z"), JdkTypesRoundTripTest::sameUnmodifiable),

                // sets
                c("HashSet", () -> fill(new HashSet<>(), "x", "y", null), JdkTypesRoundTripTest::equal),
                c("LinkedHashSet", () -> fill(new LinkedHashSet<>(), "z", "a", "m")),
                c("TreeSet natural", () -> fill(new TreeSet<>(), "z", "a", "m"), sorted("b")),
                c("TreeSet reverseOrder", () -> fill(new TreeSet<>(Comparator.reverseOrder()), "z", "a", "m"), sorted("b")),
                c("TreeSet Collections.reverseOrder(cmp)", () -> fill(new TreeSet<>(Collections.reverseOrder(new ByLength(false))),
                        "zz", "a", "mmm"), sorted("bbbb")),
                c("TreeSet CASE_INSENSITIVE_ORDER", () -> fill(new TreeSet<>(String.CASE_INSENSITIVE_ORDER), "b", "A", "c"),
                        sorted("B")),
                c("TreeSet user Comparator", () -> fill(new TreeSet<>(new ByLength(true)), "zz", "a", "mmm"), sorted("bbbb")),
                c("Set.of()", () -> Set.of(), JdkTypesRoundTripTest::sameUnmodifiable),
                c("Set.of(1)", () -> Set.of("a"), JdkTypesRoundTripTest::sameUnmodifiable),
                c("Set.of(n)", () -> Set.of("a", "b", "c"), JdkTypesRoundTripTest::sameUnmodifiable),
                c("EnumSet", () -> EnumSet.of(Color.RED, Color.BLUE)),
                c("EnumSet empty", () -> EnumSet.noneOf(Color.class), (a, b) -> {
                    equalAndSameOrder(a, b);
                    assertEquals(EnumSet.allOf(Color.class), EnumSet.complementOf((EnumSet<Color>) b));
                }),
                c("EnumSet all", () -> EnumSet.allOf(Color.class)),
                c("BitSet", () -> BitSet.valueOf(new long[] {0b1011, 0, 1L << 63})),

                // maps
                c("HashMap", () -> {
                    Map<String, Integer> map = fillMap(new HashMap<>());
                    map.put(null, 0);
                    return map;
                }, JdkTypesRoundTripTest::equal),
                c("LinkedHashMap insertion order", () -> fillMap(new LinkedHashMap<>())),
                c("LinkedHashMap access order", JdkTypesRoundTripTest::lru, (a, b) -> {
                    equalAndSameOrder(a, b);
                    ((Map<?, ?>) a).get("three");
                    ((Map<?, ?>) b).get("three");
                    equalAndSameOrder(a, b);
                }),
                c("TreeMap natural", () -> fillMap(new TreeMap<>()), sorted("five")),
                c("TreeMap reverseOrder", () -> fillMap(new TreeMap<>(Collections.reverseOrder())), sorted("five")),
                c("TreeMap Comparator.nullsFirst", () -> {
                    TreeMap<String, Integer> map = new TreeMap<>(Comparator.nullsFirst(Comparator.naturalOrder()));
                    map.put(null, 0);
                    return fillMap(map);
                }, sorted("five")),
                c("TreeMap user Comparator", () -> {
                    TreeMap<String, Integer> map = new TreeMap<>(new ByLength(false));
                    return fillMap(map);
                }, sorted("fifteen")),
                c("Hashtable", () -> fillMap(new Hashtable<>()), JdkTypesRoundTripTest::equal),
                c("Properties with defaults", () -> {
                    Properties defaults = new Properties();
                    defaults.setProperty("colour", "blue");
                    Properties properties = new Properties(defaults);
                    properties.setProperty("size", "9");
                    return properties;
                }, (a, b) -> {
                    assertEquals(a, b);
                    assertEquals("blue", ((Properties) b).getProperty("colour"));
                    assertEquals(((Properties) a).stringPropertyNames(), ((Properties) b).stringPropertyNames());
                }),
                c("IdentityHashMap", () -> fillMap(new IdentityHashMap<>()), (a, b) -> assertEquals(
                        new HashMap<>((Map<?, ?>) a), new HashMap<>((Map<?, ?>) b))),
                c("WeakHashMap", () -> fillMap(new WeakHashMap<>()), JdkTypesRoundTripTest::equal),
                c("EnumMap", () -> {
                    EnumMap<Color, String> map = new EnumMap<>(Color.class);
                    map.put(Color.BLUE, "b");
                    map.put(Color.RED, "r");
                    return map;
                }),
                c("EnumMap empty", () -> new EnumMap<Color, String>(Color.class), (a, b) -> {
                    equalAndSameOrder(a, b);
                    @SuppressWarnings("unchecked")
                    EnumMap<Color, String> copy = (EnumMap<Color, String>) b;
                    copy.put(Color.GREEN, "g");
                }),
                c("Map.of()", () -> Map.of(), JdkTypesRoundTripTest::sameUnmodifiable),
                c("Map.of(1)", () -> Map.of("k", 1), JdkTypesRoundTripTest::sameUnmodifiable),
                c("Map.of(n)", () -> Map.of("k", 1, "l", 2, "m", 3), JdkTypesRoundTripTest::sameUnmodifiable),
                c("Map.entry", () -> Map.entry("k", 1)),
                c("AbstractMap.SimpleEntry", () -> new AbstractMap.SimpleEntry<>("k", 1)),
                c("AbstractMap.SimpleImmutableEntry", () -> new AbstractMap.SimpleImmutableEntry<>("k", 1)),

                // queues
                c("ArrayDeque", () -> fill(new ArrayDeque<>(), "x", "y", "z"), JdkTypesRoundTripTest::sameQueue),
                c("PriorityQueue natural", () -> fill(new PriorityQueue<>(), "z", "a", "m", "b"), JdkTypesRoundTripTest::samePriorityOrder),
                c("PriorityQueue reverseOrder", () -> fill(new PriorityQueue<>(Comparator.reverseOrder()), "z", "a", "m"),
                        JdkTypesRoundTripTest::samePriorityOrder),
                c("PriorityQueue user Comparator", () -> fill(new PriorityQueue<>(new ByLength(true)), "z", "aaa", "mm"),
                        JdkTypesRoundTripTest::samePriorityOrder),

                // the Collections wrappers
                c("Collections.unmodifiableCollection", () -> Collections.unmodifiableCollection(abc()), (a, b) -> {
                    sameElementsInOrder(a, b);
                    sameToString(a, b);
                }),
                c("Collections.unmodifiableList (RandomAccess)", () -> Collections.unmodifiableList(abc()),
                        JdkTypesRoundTripTest::sameUnmodifiable),
                c("Collections.unmodifiableList (LinkedList)", () -> Collections.unmodifiableList(new LinkedList<>(abc())),
                        JdkTypesRoundTripTest::sameUnmodifiable),
                c("Collections.unmodifiableSet", () -> Collections.unmodifiableSet(fill(new LinkedHashSet<>(), "q", "a")),
                        JdkTypesRoundTripTest::sameUnmodifiable),
                c("Collections.unmodifiableSortedSet", () -> Collections.unmodifiableSortedSet(
                        fill(new TreeSet<>(Comparator.reverseOrder()), "q", "a")), JdkTypesRoundTripTest::sameUnmodifiable),
                c("Collections.unmodifiableNavigableSet", () -> Collections.unmodifiableNavigableSet(fill(new TreeSet<>(), "q", "a")),
                        JdkTypesRoundTripTest::sameUnmodifiable),
                c("Collections.unmodifiableMap", () -> Collections.unmodifiableMap(fillMap(new LinkedHashMap<>())),
                        JdkTypesRoundTripTest::sameUnmodifiable),
                c("Collections.unmodifiableSortedMap", () -> Collections.unmodifiableSortedMap(fillMap(new TreeMap<>())),
                        JdkTypesRoundTripTest::sameUnmodifiable),
                c("Collections.unmodifiableNavigableMap", () -> Collections.unmodifiableNavigableMap(fillMap(new TreeMap<>())),
                        JdkTypesRoundTripTest::sameUnmodifiable),
                c("Collections.unmodifiableSequencedCollection (JDK 21+)", () -> sequenced("unmodifiableSequencedCollection",
                        "java.util.SequencedCollection", new ArrayDeque<>(abc())), (a, b) -> {
                            sameElementsInOrder(a, b);
                            sameToString(a, b);
                        }),
                c("Collections.unmodifiableSequencedSet (JDK 21+)", () -> sequenced("unmodifiableSequencedSet",
                        "java.util.SequencedSet", fill(new LinkedHashSet<>(), "q", "a")), JdkTypesRoundTripTest::sameUnmodifiable),
                c("Collections.unmodifiableSequencedMap (JDK 21+)", () -> sequenced("unmodifiableSequencedMap",
                        "java.util.SequencedMap", fillMap(new LinkedHashMap<>())), JdkTypesRoundTripTest::sameUnmodifiable),
                c("Collections.synchronizedCollection", () -> Collections.synchronizedCollection(abc()), (a, b) -> {
                    sameElementsInOrder(a, b);
                    sameToString(a, b);
                }),
                c("Collections.synchronizedList", () -> Collections.synchronizedList(abc())),
                c("Collections.synchronizedList (LinkedList)", () -> Collections.synchronizedList(new LinkedList<>(abc()))),
                c("Collections.synchronizedSet", () -> Collections.synchronizedSet(fill(new LinkedHashSet<>(), "q", "a"))),
                c("Collections.synchronizedSortedSet", () -> Collections.synchronizedSortedSet(fill(new TreeSet<>(), "q", "a"))),
                c("Collections.synchronizedNavigableSet", () -> Collections.synchronizedNavigableSet(fill(new TreeSet<>(), "q", "a"))),
                c("Collections.synchronizedMap", () -> Collections.synchronizedMap(fillMap(new LinkedHashMap<>()))),
                c("Collections.synchronizedSortedMap", () -> Collections.synchronizedSortedMap(fillMap(new TreeMap<>()))),
                c("Collections.synchronizedNavigableMap", () -> Collections.synchronizedNavigableMap(fillMap(new TreeMap<>()))),
                c("Collections.checkedCollection", () -> Collections.checkedCollection(abc(), String.class), (a, b) -> {
                    sameElementsInOrder(a, b);
                    assertCheckedRejects(b);
                }),
                c("Collections.checkedList", () -> Collections.checkedList(abc(), String.class), (a, b) -> {
                    equalAndSameOrder(a, b);
                    assertCheckedRejects(b);
                }),
                c("Collections.checkedSet", () -> Collections.checkedSet(fill(new LinkedHashSet<>(), "q"), String.class), (a, b) -> {
                    equalAndSameOrder(a, b);
                    assertCheckedRejects(b);
                }),
                c("Collections.checkedSortedSet", () -> Collections.checkedSortedSet(fill(new TreeSet<>(), "q"), String.class)),
                c("Collections.checkedNavigableSet", () -> Collections.checkedNavigableSet(fill(new TreeSet<>(), "q"), String.class)),
                c("Collections.checkedQueue", () -> Collections.checkedQueue(fill(new ArrayDeque<>(), "q"), String.class),
                        (a, b) -> sameElementsInOrder(a, b)),
                c("Collections.checkedMap", () -> Collections.checkedMap(fillMap(new LinkedHashMap<>()), String.class, Integer.class),
                        (a, b) -> {
                            equalAndSameOrder(a, b);
                            assertCheckedRejects(b);
                        }),
                c("Collections.checkedSortedMap", () -> Collections.checkedSortedMap(fillMap(new TreeMap<>()), String.class,
                        Integer.class)),
                c("Collections.checkedNavigableMap", () -> Collections.checkedNavigableMap(fillMap(new TreeMap<>()), String.class,
                        Integer.class)),
                c("Collections.emptyList", Collections::emptyList, JdkTypesRoundTripTest::sameInstance),
                c("Collections.emptySet", Collections::emptySet, JdkTypesRoundTripTest::sameInstance),
                c("Collections.emptyMap", Collections::emptyMap, JdkTypesRoundTripTest::sameInstance),
                c("Collections.emptySortedSet", Collections::emptySortedSet, JdkTypesRoundTripTest::sameInstance),
                c("Collections.emptyNavigableSet", Collections::emptyNavigableSet, JdkTypesRoundTripTest::sameInstance),
                c("Collections.emptySortedMap", Collections::emptySortedMap, JdkTypesRoundTripTest::sameInstance),
                c("Collections.emptyNavigableMap", Collections::emptyNavigableMap, JdkTypesRoundTripTest::sameInstance),
                c("Collections.singletonList", () -> Collections.singletonList("s"), JdkTypesRoundTripTest::sameUnmodifiable),
                c("Collections.singleton", () -> Collections.singleton("s"), JdkTypesRoundTripTest::sameUnmodifiable),
                c("Collections.singletonMap", () -> Collections.singletonMap("s", 1), JdkTypesRoundTripTest::sameUnmodifiable),
                c("Collections.newSetFromMap", () -> fill(Collections.newSetFromMap(new LinkedHashMap<>()), "q", "a")),
                c("Collections.asLifoQueue", () -> fill(Collections.asLifoQueue(new ArrayDeque<>()), "q", "a"),
                        JdkTypesRoundTripTest::sameQueue),

                // java.util.concurrent
                c("ConcurrentHashMap", () -> fillMap(new ConcurrentHashMap<>()), (a, b) -> assertEquals(a, b)),
                c("ConcurrentHashMap.newKeySet", () -> fill(ConcurrentHashMap.newKeySet(), "q", "a"), (a, b) -> {
                    assertEquals(a, b);
                    @SuppressWarnings("unchecked")
                    Set<String> copy = (Set<String>) b;
                    copy.add("new");
                    assertTrue(copy.contains("new"));
                }),
                c("ConcurrentHashMap.keySet(default)", () -> {
                    ConcurrentHashMap<String, Integer> map = fillMap(new ConcurrentHashMap<>());
                    return map.keySet(7);
                }, (a, b) -> {
                    assertEquals(a, b);
                    @SuppressWarnings("unchecked")
                    ConcurrentHashMap.KeySetView<String, Integer> copy = (ConcurrentHashMap.KeySetView<String, Integer>) b;
                    assertEquals(Integer.valueOf(7), copy.getMappedValue());
                    assertEquals(((ConcurrentHashMap.KeySetView<?, ?>) a).getMap(), copy.getMap());
                    copy.add("new");
                    assertEquals(Integer.valueOf(7), copy.getMap().get("new"));
                }),
                c("ConcurrentHashMap.keySet()", () -> fillMap(new ConcurrentHashMap<>()).keySet(), (a, b) -> assertEquals(a, b)),
                c("ConcurrentHashMap.values()", () -> fillMap(new ConcurrentHashMap<>()).values(), (a, b) -> assertEquals(
                        new HashSet<>((Collection<?>) a), new HashSet<>((Collection<?>) b))),
                c("ConcurrentHashMap.entrySet()", () -> fillMap(new ConcurrentHashMap<>()).entrySet(), (a, b) -> assertEquals(a, b)),
                c("ConcurrentSkipListMap natural", () -> fillMap(new ConcurrentSkipListMap<>()), sorted("five")),
                c("ConcurrentSkipListMap reverseOrder", () -> fillMap(new ConcurrentSkipListMap<>(Comparator.reverseOrder())),
                        sorted("five")),
                c("ConcurrentSkipListMap user Comparator", () -> fillMap(new ConcurrentSkipListMap<>(new ByLength(true))),
                        sorted("fifteen")),
                c("ConcurrentSkipListSet natural", () -> fill(new ConcurrentSkipListSet<>(), "z", "a"), sorted("m")),
                c("ConcurrentSkipListSet reverseOrder", () -> fill(new ConcurrentSkipListSet<>(Comparator.reverseOrder()), "z", "a"),
                        sorted("m")),
                c("ConcurrentSkipListSet user Comparator", () -> fill(new ConcurrentSkipListSet<>(new ByLength(false)), "zz", "a"),
                        sorted("mmm")),
                c("CopyOnWriteArrayList", () -> fill(new CopyOnWriteArrayList<>(), "x", null, "y")),
                c("CopyOnWriteArraySet", () -> fill(new CopyOnWriteArraySet<>(), "x", "y")),
                c("ArrayBlockingQueue", () -> fill(new ArrayBlockingQueue<>(7), "x", "y"), JdkTypesRoundTripTest::sameQueue),
                c("ArrayBlockingQueue wrapped around", () -> {
                    ArrayBlockingQueue<String> queue = fill(new ArrayBlockingQueue<>(3), "a", "b", "c");
                    queue.poll();
                    queue.add("d");
                    return queue;
                }, JdkTypesRoundTripTest::sameQueue),
                c("LinkedBlockingQueue bounded", () -> fill(new LinkedBlockingQueue<>(9), "x", "y"), JdkTypesRoundTripTest::sameQueue),
                c("LinkedBlockingQueue unbounded", () -> fill(new LinkedBlockingQueue<>(), "x", "y"), JdkTypesRoundTripTest::sameQueue),
                c("LinkedBlockingDeque bounded", () -> fill(new LinkedBlockingDeque<>(5), "x", "y"), JdkTypesRoundTripTest::sameQueue),
                c("LinkedTransferQueue", () -> fill(new LinkedTransferQueue<>(), "x", "y"), JdkTypesRoundTripTest::sameQueue),
                c("PriorityBlockingQueue user Comparator", () -> fill(new PriorityBlockingQueue<>(4, new ByLength(true)), "a", "ccc", "bb"),
                        JdkTypesRoundTripTest::samePriorityOrder),
                c("ConcurrentLinkedQueue", () -> fill(new ConcurrentLinkedQueue<>(), "x", "y"), JdkTypesRoundTripTest::sameQueue),
                c("ConcurrentLinkedDeque", () -> fill(new ConcurrentLinkedDeque<>(), "x", "y"), JdkTypesRoundTripTest::sameQueue),
                c("DelayQueue", () -> {
                    DelayQueue<Due> queue = new DelayQueue<>();
                    queue.add(new Due("late", 4_000_000_000_000L));
                    queue.add(new Due("early", 3_000_000_000_000L));
                    return queue;
                }, (a, b) -> assertEquals(drain((Queue<?>) a), drain((Queue<?>) b))),

                // atomics and adders
                c("AtomicInteger", () -> new AtomicInteger(3), JdkTypesRoundTripTest::sameToString),
                c("AtomicLong", () -> new AtomicLong(-4), JdkTypesRoundTripTest::sameToString),
                c("AtomicBoolean", () -> new AtomicBoolean(true), JdkTypesRoundTripTest::sameToString),
                c("AtomicReference", () -> new AtomicReference<>("r"), JdkTypesRoundTripTest::sameToString),
                c("AtomicIntegerArray", () -> new AtomicIntegerArray(new int[] {1, 2, 3}), JdkTypesRoundTripTest::sameToString),
                c("AtomicLongArray", () -> new AtomicLongArray(new long[] {1, -2}), JdkTypesRoundTripTest::sameToString),
                c("AtomicReferenceArray", () -> new AtomicReferenceArray<>(new Object[] {"a", null, 3}),
                        JdkTypesRoundTripTest::sameToString),
                c("AtomicMarkableReference", () -> new AtomicMarkableReference<>("m", true), (a, b) -> {
                    assertEquals(((AtomicMarkableReference<?>) a).getReference(), ((AtomicMarkableReference<?>) b).getReference());
                    assertEquals(((AtomicMarkableReference<?>) a).isMarked(), ((AtomicMarkableReference<?>) b).isMarked());
                }),
                c("AtomicStampedReference", () -> new AtomicStampedReference<>("s", 42), (a, b) -> {
                    assertEquals(((AtomicStampedReference<?>) a).getReference(), ((AtomicStampedReference<?>) b).getReference());
                    assertEquals(((AtomicStampedReference<?>) a).getStamp(), ((AtomicStampedReference<?>) b).getStamp());
                }),
                c("LongAdder", () -> {
                    LongAdder adder = new LongAdder();
                    adder.add(40);
                    adder.increment();
                    return adder;
                }, JdkTypesRoundTripTest::sameToString),
                c("DoubleAdder", () -> {
                    DoubleAdder adder = new DoubleAdder();
                    adder.add(1.5);
                    return adder;
                }, JdkTypesRoundTripTest::sameToString),
                c("LongAccumulator (function of a named class)", () -> {
                    LongAccumulator max = new LongAccumulator(new MaxOf(), Long.MIN_VALUE);
                    max.accumulate(7);
                    return max;
                }, (a, b) -> {
                    assertEquals(((LongAccumulator) a).get(), ((LongAccumulator) b).get());
                    ((LongAccumulator) b).accumulate(3);
                    assertEquals(7, ((LongAccumulator) b).get());
                    ((LongAccumulator) b).reset();
                    assertEquals(Long.MIN_VALUE, ((LongAccumulator) b).get(), "identity kept");
                }),
                c("DoubleAccumulator (function of a named class)", () -> {
                    DoubleAccumulator product = new DoubleAccumulator(new Times(), 1.0);
                    product.accumulate(2.5);
                    return product;
                }, (a, b) -> {
                    assertEquals(((DoubleAccumulator) a).get(), ((DoubleAccumulator) b).get());
                    ((DoubleAccumulator) b).accumulate(2);
                    assertEquals(5.0, ((DoubleAccumulator) b).get());
                    ((DoubleAccumulator) b).reset();
                    assertEquals(1.0, ((DoubleAccumulator) b).get(), "identity kept");
                }),

                // java.time
                c("Instant", () -> Instant.ofEpochSecond(1_700_000_000L, 123_456_789)),
                c("Duration", () -> Duration.ofSeconds(-90, 5)),
                c("Period", () -> Period.of(1, -2, 3)),
                c("LocalDate", () -> LocalDate.of(2026, 2, 28)),
                c("LocalTime", () -> LocalTime.of(23, 59, 58, 1)),
                c("LocalDateTime", () -> LocalDateTime.of(2026, 2, 28, 23, 59, 58, 1)),
                c("OffsetTime", () -> OffsetTime.of(1, 2, 3, 4, ZoneOffset.ofHoursMinutes(5, 30))),
                c("OffsetDateTime", () -> OffsetDateTime.of(2026, 2, 28, 1, 2, 3, 4, ZoneOffset.ofHours(-7))),
                c("ZonedDateTime (region, in a DST gap)", () -> ZonedDateTime.of(2026, 3, 29, 2, 30, 0, 0, ZoneId.of("Europe/Paris"))),
                c("ZonedDateTime (overlap, later offset)", () -> ZonedDateTime.of(2026, 10, 25, 2, 30, 0, 0,
                        ZoneId.of("Europe/Paris")).withLaterOffsetAtOverlap()),
                c("ZoneOffset", () -> ZoneOffset.ofHoursMinutesSeconds(-3, -30, -15)),
                c("ZoneId region", () -> ZoneId.of("America/New_York")),
                c("ZoneId prefixed offset", () -> ZoneId.of("UTC+01:00")),
                c("Year", () -> Year.of(-44)),
                c("YearMonth", () -> YearMonth.of(2026, 12)),
                c("MonthDay", () -> MonthDay.of(2, 29)),
                c("DayOfWeek", () -> DayOfWeek.SUNDAY),
                c("Month", () -> Month.FEBRUARY),
                c("Clock.systemUTC", Clock::systemUTC),
                c("Clock.system(zone)", () -> Clock.system(ZoneId.of("Asia/Tokyo"))),
                c("Clock.fixed", () -> Clock.fixed(Instant.ofEpochSecond(5), ZoneOffset.UTC)),
                c("Clock.offset", () -> Clock.offset(Clock.fixed(Instant.ofEpochSecond(5), ZoneOffset.UTC), Duration.ofHours(2))),
                c("Clock.tick", () -> Clock.tick(Clock.systemUTC(), Duration.ofMillis(250))),
                c("HijrahDate", () -> HijrahDate.of(1445, 9, 1)),
                c("JapaneseDate", () -> JapaneseDate.of(2026, 1, 2)),
                c("JapaneseEra", () -> JapaneseEra.REIWA, JdkTypesRoundTripTest::sameInstance),
                c("MinguoDate", () -> MinguoDate.of(115, 1, 2)),
                c("ThaiBuddhistDate", () -> ThaiBuddhistDate.of(2569, 1, 2)),
                c("IsoChronology", () -> IsoChronology.INSTANCE, JdkTypesRoundTripTest::sameInstance),
                c("ChronoUnit", () -> ChronoUnit.HALF_DAYS),
                c("ChronoField", () -> ChronoField.ALIGNED_WEEK_OF_YEAR),
                c("ValueRange", () -> ValueRange.of(1, 28, 31)),
                c("WeekFields", () -> WeekFields.of(DayOfWeek.SUNDAY, 4)),

                // values of java.lang, java.net, java.nio, java.util, java.math
                c("UUID", () -> new UUID(0x0123456789abcdefL, 0xfedcba9876543210L)),
                c("URI", () -> URI.create("https://example.invalid/p%20q?x=1#f")),
                c("Pattern with flags", () -> Pattern.compile("^a+b$", Pattern.CASE_INSENSITIVE | Pattern.MULTILINE), (a, b) -> {
                    assertEquals(((Pattern) a).pattern(), ((Pattern) b).pattern());
                    assertEquals(((Pattern) a).flags(), ((Pattern) b).flags());
                    assertTrue(((Pattern) b).matcher("x\nAAB").find());
                }),
                c("File", () -> new File("/tmp/dir/file.txt")),
                c("File relative", () -> new File("rel/x")),
                c("Path absolute", () -> Path.of("/tmp", "dir", "file.txt")),
                c("Path relative", () -> Path.of("rel", "x")),
                c("Locale", () -> Locale.CANADA_FRENCH),
                c("Locale with script and extension", () -> Locale.forLanguageTag("zh-Hant-TW-u-ca-chinese")),
                c("Locale ja_JP_JP", () -> new Locale("ja", "JP", "JP")),
                c("Locale ROOT", () -> Locale.ROOT),
                c("Currency", () -> Currency.getInstance("CHF"), JdkTypesRoundTripTest::sameInstance),
                c("Charset", () -> StandardCharsets.UTF_16LE),
                c("TimeZone", () -> TimeZone.getTimeZone("Europe/Berlin")),
                c("Date", () -> new Date(1_700_000_000_123L)),
                c("Optional", () -> Optional.of("o")),
                c("Optional.empty", Optional::empty),
                c("OptionalInt", () -> OptionalInt.of(5)),
                c("OptionalLong", () -> OptionalLong.of(-5)),
                c("OptionalDouble", () -> OptionalDouble.of(0.5)),
                c("BigInteger", () -> new BigInteger("-123456789012345678901234567890")),
                c("BigDecimal", () -> new BigDecimal("-1234567890.12345678901234567890")),
                c("BigDecimal scale kept", () -> new BigDecimal("1.500")),
                c("StringBuilder", () -> new StringBuilder(64).append("sb"), (a, b) -> {
                    sameToString(a, b);
                    assertEquals(((StringBuilder) a).capacity(), ((StringBuilder) b).capacity(), "capacity");
                }),
                c("StringBuffer", () -> new StringBuffer(64).append("sb"), (a, b) -> {
                    sameToString(a, b);
                    assertEquals(((StringBuffer) a).capacity(), ((StringBuffer) b).capacity(), "capacity");
                }),
                c("Object (a lock)", Object::new, (a, b) -> { }),
                c("StackTraceElement", () -> new StackTraceElement("app", "m", "1", "com.acme.X", "run", "X.java", 7)),

                // throwables
                c("RuntimeException", () -> withTrace(new RuntimeException("boom")), JdkTypesRoundTripTest::sameThrowable),
                c("Exception with cause and suppressed", () -> {
                    Exception e = new Exception("outer", new IllegalStateException("inner"));
                    e.addSuppressed(new IOException("suppressed"));
                    return e;
                }, JdkTypesRoundTripTest::sameThrowable),
                c("Error", () -> new AssertionError("assert"), JdkTypesRoundTripTest::sameThrowable),
                c("custom exception with fields, cause and suppressed", JdkTypesRoundTripTest::richThrowable,
                        JdkTypesRoundTripTest::sameThrowable),
                c("UncheckedIOException", () -> new UncheckedIOException("wrapped", new IOException("io")),
                        JdkTypesRoundTripTest::sameThrowable),
                c("FileSystemException (JDK fields)", () -> new FileSystemException("/a", "/b", "busy"),
                        JdkTypesRoundTripTest::sameThrowable),
                c("DateTimeParseException (JDK fields)", () -> new DateTimeParseException("bad", "2026-13-01", 5),
                        JdkTypesRoundTripTest::sameThrowable),
                c("URISyntaxException (JDK fields)", () -> new URISyntaxException("a b", "space", 1),
                        JdkTypesRoundTripTest::sameThrowable),
                c("Throwable without stack trace", () -> new Throwable("no stack", null, false, false) { },
                        JdkTypesRoundTripTest::sameThrowable),

                // arrays
                c("int[]", () -> new int[] {1, -2, 3}, JdkTypesRoundTripTest::sameArray),
                c("long[][] jagged", () -> new long[][] {{1}, {}, null, {2, 3}}, JdkTypesRoundTripTest::sameArray),
                c("byte[][][]", () -> new byte[][][] {{{1, 2}}, {{3}, {}}}, JdkTypesRoundTripTest::sameArray),
                c("char[] / boolean[] / short[] / float[] / double[]", () -> new Object[] {new char[] {'a'}, new boolean[] {true},
                    new short[] {7}, new float[] {1.5f}, new double[] {Double.NaN}}, JdkTypesRoundTripTest::sameArray),
                c("String[][]", () -> new String[][] {{"a", null}, {"b"}}, JdkTypesRoundTripTest::sameArray),
                c("Color[] (enum array)", () -> new Color[] {Color.BLUE, null, Color.RED}, JdkTypesRoundTripTest::sameArray),
                c("Instant[]", () -> new Instant[] {Instant.EPOCH}, JdkTypesRoundTripTest::sameArray),
                c("Object[] with shared rows", () -> {
                    int[] row = {1, 2};
                    return new Object[] {row, row};
                }, (a, b) -> {
                    sameArray(a, b);
                    Object[] copy = (Object[]) b;
                    assertSame(copy[0], copy[1]);
                }),
                c("Object[] containing itself", () -> {
                    Object[] self = new Object[2];
                    self[0] = self;
                    self[1] = "x";
                    return self;
                }, (a, b) -> {
                    Object[] copy = (Object[]) b;
                    assertSame(copy, copy[0]);
                    assertEquals("x", copy[1]);
                }));
    }

    static void sameInstance(Object original, Object copy) {
        assertSame(original, copy);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void assertCheckedRejects(Object checked) {
        try {
            if (checked instanceof Map map) {
                map.put(42, "wrong");
            } else {
                ((Collection) checked).add(42);
            }
        } catch (ClassCastException expected) {
            return;
        }
        throw new AssertionError("the checked wrapper lost its element type");
    }
}
