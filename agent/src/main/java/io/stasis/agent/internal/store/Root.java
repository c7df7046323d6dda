package io.stasis.agent.internal.store;

import java.util.Comparator;
import java.util.List;

/**
 * One unit of checkpointed state: a class's static fields, or one instance's fields. Its values are
 * serialized together, so references shared between its fields survive a round trip.
 *
 * @param kind   static or instance state
 * @param owner  the owner's class name
 * @param key    the instance's {@code @CheckpointKey} value; {@code null} for statics and singletons
 * @param fields the field names, in the order their values were written
 * @param data   the Kryo-serialized values
 * @param sharesObjects whether the writer referenced an object of the values more than once
 *     ({@code ValueGraph.sharesObjects}): restore then reads it under the hostile-input budget
 *     straight away; {@code false} where unknown
 */
public record Root(Kind kind, String owner, String key, List<String> fields, byte[] data, boolean sharesObjects) {

    public enum Kind { STATIC, INSTANCE }

    public Root {
        fields = List.copyOf(fields);
    }

    /** A root not known to share objects. */
    public Root(Kind kind, String owner, String key, List<String> fields, byte[] data) {
        this(kind, owner, key, fields, data, false);
    }

    /** How people see it: {@code static com.acme.Ledger}, {@code com.acme.Ledger}, {@code com.acme.Account[42]}. */
    public String name() {
        return name(kind, owner, key);
    }

    /**
     * Orders roots by {@link #name()}. A class rather than a lambda: a cut that sorts with it for
     * the first time spins no class.
     */
    public static Comparator<Root> byName() {
        return ByName.INSTANCE;
    }

    private static final class ByName implements Comparator<Root> {
        static final ByName INSTANCE = new ByName();

        @Override
        public int compare(Root a, Root b) {
            return a.name().compareTo(b.name());
        }
    }

    public static String name(Kind kind, String owner, String key) {
        if (kind == Kind.STATIC) {
            return "static " + owner;
        }
        return key == null ? owner : owner + "[" + key + "]";
    }
}
