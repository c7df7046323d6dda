package io.stasis.agent.internal.capture;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** The JDK types application state is mostly made of, for {@link Checkpointer#prepare}. */
final class WarmUpGraph {

    /** The name the warm-up's own root is written under; it is never stored. */
    static final String ROOT = "static io.stasis.agent.warm-up";

    private WarmUpGraph() {
    }

    /** A static field of each kind, as a {@code @Checkpointed} class declares them. */
    static Map<String, Field> staticFields() {
        return fields(true);
    }

    /** An instance field of each kind, as a {@code @Checkpointed} class declares them. */
    static Map<String, Field> instanceFields() {
        return fields(false);
    }

    static Object instance() {
        return new Fields();
    }

    private static Map<String, Field> fields(boolean statics) {
        Map<String, Field> fields = new LinkedHashMap<>();
        for (Field field : Fields.class.getDeclaredFields()) {
            if (Modifier.isStatic(field.getModifiers()) == statics) {
                field.setAccessible(true);
                fields.put(field.getName(), field);
            }
        }
        return fields;
    }

    /** Written by nothing: only read, by reflection, as a cut reads the application's fields. */
    @SuppressWarnings("unused")
    private static final class Fields {
        private static Map<String, Long> counts = new TreeMap<>(Map.of("a", 1L));
        private static List<String> names = new ArrayList<>(List.of("a"));
        private static long total = 1;
        private static int count = 1;
        private static double ratio = 1;
        private static boolean flag = true;
        private static String text = "a";
        private Map<String, Long> byKey = new HashMap<>(Map.of("a", 1L));
        private long amount = 1;
        private int number = 1;
        private double value = 1;
        private boolean done = true;
        private String label = "a";
    }

    static List<Object> create() {
        Map<String, Long> counts = new HashMap<>(Map.of("a", 1L, "b", 2L));
        List<Object> list = new ArrayList<>(List.of("text", 1, 2L, 3.0, true, 'c'));
        return List.of(counts, list, new TreeMap<>(counts), new LinkedHashMap<>(counts),
                new ConcurrentHashMap<>(counts), new HashSet<>(List.of("x", "y")), new ArrayDeque<>(List.of(1)),
                List.of(1, 2), Map.of("k", "v"), new long[]{1}, new int[]{1}, new byte[]{1}, new double[]{1},
                new String[]{"s"}, new Object[]{counts, list}, new AtomicLong(1), Instant.EPOCH, Duration.ZERO,
                "shared", 42L);
    }
}
