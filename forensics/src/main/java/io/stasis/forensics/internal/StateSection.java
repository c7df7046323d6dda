package io.stasis.forensics.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import io.stasis.forensics.StateSource;
import java.io.IOException;
import java.time.Duration;
import java.util.List;

/**
 * The {@code state/} part of a bundle: {@code state/index.json} names each root (kind, owner, key,
 * fields, file) and {@code state/NNNN.kryo} holds its values exactly as the agent's snapshots do
 * (one Kryo value graph per root), so the agent's own reader decodes them.
 */
final class StateSection {

    private StateSection() {
    }

    /** @return why the state is missing, or null */
    static String write(BundleWriter w, StateSource source, Duration timeout) throws IOException {
        List<StateSource.Root> roots;
        try {
            roots = source.capture(timeout);
        } catch (Exception | LinkageError | OutOfMemoryError | StackOverflowError e) {
            return BundleWriter.describe(e);
        }
        w.section("state/index.json", out -> {
            try (JsonGenerator json = Json.to(out)) {
                json.writeStartObject();
                json.writeStringField("format", "stasis value graphs (Kryo), one per root, as in the agent's snapshots");
                json.writeArrayFieldStart("roots");
                for (int i = 0; i < roots.size(); i++) {
                    StateSource.Root root = roots.get(i);
                    json.writeStartObject();
                    json.writeStringField("kind", root.kind());
                    json.writeStringField("owner", root.owner());
                    if (root.key() != null) {
                        json.writeStringField("key", root.key());
                    }
                    json.writeArrayFieldStart("fields");
                    for (String f : root.fields()) {
                        json.writeString(f);
                    }
                    json.writeEndArray();
                    json.writeStringField("file", file(i));
                    json.writeNumberField("bytes", root.data().length);
                    json.writeEndObject();
                }
                json.writeEndArray();
                json.writeEndObject();
            }
        });
        for (int i = 0; i < roots.size(); i++) {
            byte[] data = roots.get(i).data();
            w.section(file(i), out -> out.write(data));
        }
        return null;
    }

    static String file(int i) {
        return String.format("state/%04d.kryo", i);
    }
}
