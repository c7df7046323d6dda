package io.stasis.agent.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stasis.agent.internal.store.Root;
import io.stasis.agent.internal.store.Snapshot;
import io.stasis.agent.internal.store.SnapshotRef;
import java.util.function.BiConsumer;

/** {@code inspect --json}: one snapshot as JSON for scripts. */
final class SnapshotJson {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private SnapshotJson() {
    }

    static String describe(SnapshotRef ref, Snapshot snapshot, long storedBytes)
            throws com.fasterxml.jackson.core.JsonProcessingException {
        return describe(ref, snapshot, storedBytes, (node, root) -> { });
    }

    /** With {@code values} adding each root's values to its node. */
    static String describe(SnapshotRef ref, Snapshot snapshot, long storedBytes, BiConsumer<ObjectNode, Root> values)
            throws com.fasterxml.jackson.core.JsonProcessingException {
        ObjectNode node = JSON.createObjectNode();
        node.put("id", ref.id());
        node.put("sequence", snapshot.sequence());
        node.put("time", snapshot.time().toString());
        node.put("reason", snapshot.reason());
        node.put("pauseNanos", snapshot.pauseNanos());
        node.put("bytes", storedBytes);
        ArrayNode roots = node.putArray("roots");
        for (Root root : snapshot.roots()) {
            values.accept(root(roots.addObject(), root), root);
        }
        return JSON.writeValueAsString(node);
    }

    /** A root's name, kind, owner, key, field names and size, into {@code r}. */
    static ObjectNode root(ObjectNode r, Root root) {
        r.put("name", root.name());
        r.put("kind", root.kind().name());
        r.put("owner", root.owner());
        r.put("key", root.key());
        root.fields().forEach(r.putArray("fields")::add);
        r.put("bytes", root.data().length);
        return r;
    }
}
