package io.stasis.agent.internal.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Manifests as JSON that people can read (see {@code docs/format.md}). The last member,
 * {@code checksum}, is the SHA-256 of the compact form of every member before it (an HMAC with the
 * store's naming key when the store is encrypted), so an altered manifest is detected even when it
 * is still valid JSON.
 */
final class ManifestCodec {

    /** The largest manifest read: larger ones are refused before they are read (docs/format.md). */
    static final long MAX_BYTES = 64L << 20;
    /** The largest sequence number: file names have 16 digits. */
    static final long MAX_SEQUENCE = 9_999_999_999_999_999L;
    /** The most data a root may have: one Java array. */
    static final long MAX_ROOT_BYTES = Integer.MAX_VALUE - 8;
    static final Pattern PACK_NAME = Pattern.compile("pack-\\d{16}\\.pack");
    private static final Pattern CHUNK_NAME = Pattern.compile("[0-9a-f]{64}");

    private ManifestCodec() {
    }

    static byte[] write(Manifest manifest, ChunkCodec checksums) {
        ObjectNode node = JsonTrees.object();
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
        return JsonTrees.write(node, true);
    }

    /**
     * Parses and verifies a manifest.
     *
     * @throws CorruptSnapshotException if it is not a manifest, or not the one its checksum vouches for
     */
    static Manifest read(byte[] bytes, String file, ChunkCodec codec) throws CorruptSnapshotException {
        JsonNode node;
        try {
            node = JsonTrees.read(bytes);
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
                long declared = 0;
                for (JsonNode c : required(r, "chunks")) {
                    Manifest.ChunkRef chunk = new Manifest.ChunkRef(matching(c, "name", CHUNK_NAME),
                            matching(c, "pack", PACK_NAME),
                            number(c, "offset", 0, Long.MAX_VALUE - ChunkCodec.MAX_STORED),
                            (int) number(c, "length", ChunkCodec.MIN_STORED, ChunkCodec.MAX_STORED),
                            (int) number(c, "bytes", 0, Chunker.MAX));
                    declared += chunk.bytes();
                    chunks.add(chunk);
                }
                long rootBytes = number(r, "bytes", 0, MAX_ROOT_BYTES);
                if (rootBytes != declared) {
                    throw new IllegalArgumentException("root " + text(r, "owner") + " has " + declared
                            + " bytes in its chunks, 'bytes' says " + rootBytes);
                }
                roots.add(new Manifest.StoredRoot(Root.Kind.valueOf(text(r, "kind")), text(r, "owner"),
                        r.path("key").isTextual() ? r.get("key").asText() : null, fields, rootBytes, chunks));
            }
            return new Manifest(number(object, "sequence", 0, MAX_SEQUENCE), Instant.parse(text(object, "time")),
                    text(object, "reason"), number(object, "parent", -1, MAX_SEQUENCE),
                    number(object, "pauseNanos", Long.MIN_VALUE, Long.MAX_VALUE),
                    number(object, "writeNanos", Long.MIN_VALUE, Long.MAX_VALUE),
                    text(object, "agent"), text(object, "jvm"), keyId, classes, roots);
        } catch (IllegalArgumentException | DateTimeParseException e) {
            throw new CorruptSnapshotException(file + " is not a manifest: " + e.getMessage());
        }
    }

    private static String checksum(ObjectNode node, ChunkCodec checksums) {
        return checksums.name(JsonTrees.write(node, false));
    }

    /** An integer member within {@code [min, max]}: nothing a manifest declares is used unchecked. */
    private static long number(JsonNode node, String name, long min, long max) {
        JsonNode value = required(node, name);
        if (!value.isIntegralNumber() || !value.canConvertToLong() || value.asLong() < min || value.asLong() > max) {
            throw new IllegalArgumentException("'" + name + "' is " + value + ", not a whole number from " + min
                    + " to " + max);
        }
        return value.asLong();
    }

    private static String matching(JsonNode node, String name, Pattern pattern) {
        String value = text(node, name);
        if (!pattern.matcher(value).matches()) {
            throw new IllegalArgumentException("'" + name + "' is not a valid name");
        }
        return value;
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
