package io.stasis.agent.internal.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Manifests as JSON that people can read (see {@code docs/format.md}). The last member,
 * {@code checksum}, is the SHA-256 of the compact form of every member before it (an HMAC with the
 * store's naming key when the store is encrypted), so an altered manifest is detected even when it
 * is still valid JSON.
 */
final class ManifestCodec {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper PRETTY = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ManifestCodec() {
    }

    static byte[] write(Manifest manifest, ChunkCodec checksums) {
        ObjectNode node = JSON.createObjectNode();
        node.put("format", Manifest.FORMAT);
        node.put("sequence", manifest.sequence());
        node.put("time", manifest.time().toString());
        node.put("reason", manifest.reason());
        node.put("parent", manifest.parent());
        node.put("pauseNanos", manifest.pauseNanos());
        node.put("writeNanos", manifest.writeNanos());
        node.put("agent", manifest.agent());
        node.put("jvm", manifest.jvm());
        node.put("keyId", manifest.keyId());
        ArrayNode classes = node.putArray("classes");
        manifest.classes().forEach(classes::add);
        ArrayNode roots = node.putArray("roots");
        for (Manifest.StoredRoot root : manifest.roots()) {
            ObjectNode r = roots.addObject();
            r.put("kind", root.kind().name());
            r.put("owner", root.owner());
            r.put("key", root.key());
            ArrayNode fields = r.putArray("fields");
            root.fields().forEach(fields::add);
            r.put("bytes", root.bytes());
            ArrayNode chunks = r.putArray("chunks");
            for (Manifest.ChunkRef chunk : root.chunks()) {
                chunks.addObject().put("name", chunk.name()).put("pack", chunk.pack()).put("offset", chunk.offset())
                        .put("length", chunk.length()).put("bytes", chunk.bytes());
            }
        }
        node.put("checksum", checksum(node, checksums));
        try {
            return PRETTY.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of strings and numbers always serializes", e);
        }
    }

    /**
     * Parses and verifies a manifest.
     *
     * @throws CorruptSnapshotException if it is not a manifest, or not the one its checksum vouches for
     */
    static Manifest read(byte[] bytes, String file, ChunkCodec codec) throws CorruptSnapshotException {
        JsonNode node;
        try {
            node = JSON.readTree(bytes);
        } catch (IOException e) {
            throw new CorruptSnapshotException(file + " is not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (!(node instanceof ObjectNode object) || !object.path("checksum").isTextual()) {
            throw new CorruptSnapshotException(file + " is not a manifest (no checksum)");
        }
        int format = object.path("format").asInt(-1);
        if (format != Manifest.FORMAT) {
            throw new CorruptSnapshotException(file + " has format " + object.path("format") + "; this version reads "
                    + Manifest.FORMAT + " (and version 1 snapshot files)");
        }
        String keyId = object.path("keyId").isTextual() ? object.get("keyId").asText() : null;
        ChunkCodec checksums = codec.forKey(keyId, file);
        String stated = object.remove("checksum").asText();
        if (!stated.equals(checksum(object, checksums))) {
            throw new CorruptSnapshotException(file + " does not match its checksum");
        }
        try {
            List<String> classes = new ArrayList<>();
            required(object, "classes").forEach(c -> classes.add(c.asText()));
            List<Manifest.StoredRoot> roots = new ArrayList<>();
            for (JsonNode r : required(object, "roots")) {
                List<String> fields = new ArrayList<>();
                required(r, "fields").forEach(f -> fields.add(f.asText()));
                List<Manifest.ChunkRef> chunks = new ArrayList<>();
                for (JsonNode c : required(r, "chunks")) {
                    chunks.add(new Manifest.ChunkRef(text(c, "name"), text(c, "pack"), required(c, "offset").asLong(),
                            required(c, "length").asInt(), required(c, "bytes").asInt()));
                }
                roots.add(new Manifest.StoredRoot(Root.Kind.valueOf(text(r, "kind")), text(r, "owner"),
                        r.path("key").isTextual() ? r.get("key").asText() : null, fields, required(r, "bytes").asLong(),
                        chunks));
            }
            return new Manifest(required(object, "sequence").asLong(), Instant.parse(text(object, "time")),
                    text(object, "reason"), required(object, "parent").asLong(), required(object, "pauseNanos").asLong(),
                    required(object, "writeNanos").asLong(), text(object, "agent"), text(object, "jvm"), keyId, classes,
                    roots);
        } catch (IllegalArgumentException | DateTimeParseException e) {
            throw new CorruptSnapshotException(file + " is not a manifest: " + e.getMessage());
        }
    }

    private static String checksum(ObjectNode node, ChunkCodec checksums) {
        try {
            return checksums.name(JSON.writeValueAsString(node).getBytes(StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of strings and numbers always serializes", e);
        }
    }

    private static JsonNode required(JsonNode node, String name) {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            throw new IllegalArgumentException("'" + name + "' is missing");
        }
        return value;
    }

    private static String text(JsonNode node, String name) {
        return required(node, name).asText();
    }
}
