package io.stasis.agent.internal.store;

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
 */
public record Root(Kind kind, String owner, String key, List<String> fields, byte[] data) {

    public enum Kind { STATIC, INSTANCE }

    public Root {
        fields = List.copyOf(fields);
    }

    /** How people see it: {@code static com.acme.Ledger}, {@code com.acme.Ledger}, {@code com.acme.Account[42]}. */
    public String name() {
        return name(kind, owner, key);
    }

    public static String name(Kind kind, String owner, String key) {
        if (kind == Kind.STATIC) {
            return "static " + owner;
        }
        return key == null ? owner : owner + "[" + key + "]";
    }
}
