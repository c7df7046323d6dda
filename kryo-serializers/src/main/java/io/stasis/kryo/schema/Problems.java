package io.stasis.kryo.schema;

import com.esotericsoftware.kryo.Kryo;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What a read found that the classes of this JVM cannot take: a field whose type changed
 * incompatibly. Each is reported once per class and field, never silently misread; the field
 * keeps the value its constructor gave it.
 */
public final class Problems {

    private static final Object KEY = Problems.class;

    private Problems() {
    }

    static void report(Kryo kryo, String problem) {
        @SuppressWarnings("unchecked")
        Set<String> problems = (Set<String>) kryo.getContext().get(KEY);
        if (problems == null) {
            problems = new LinkedHashSet<>();
            kryo.getContext().put(KEY, problems);
        }
        problems.add(problem);
    }

    /** The problems reported since the last call, which forgets them. */
    public static List<String> drain(Kryo kryo) {
        @SuppressWarnings("unchecked")
        Set<String> problems = (Set<String>) kryo.getContext().remove(KEY);
        return problems == null ? List.of() : new ArrayList<>(problems);
    }
}
