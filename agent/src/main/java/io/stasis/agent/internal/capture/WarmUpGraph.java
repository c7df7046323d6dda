package io.stasis.agent.internal.capture;

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

    private WarmUpGraph() {
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
