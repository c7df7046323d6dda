package io.stasis.agent.internal.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
    /**
     * The most chunks a manifest lists once its copies are resolved: some 128 GB of state at the
     * average chunk size, so that copies cannot inflate a small manifest without bound.
     */
    static final int MAX_CHUNKS = 8 << 20;
    /** About what a manifest listing every chunk spends on each (42 bytes, in Base64). */
    static final int FULL_BYTES_PER_CHUNK = 56;
    static final Pattern PACK_NAME = Pattern.compile("pack-\\d{16}\\.pack");
    private static final Pattern CHUNK_NAME = Pattern.compile("[0-9a-f]{64}");

    private ManifestCodec() {
    }

    /**
     * A manifest of format 4. Its roots' chunk lists are stored against {@code base} when the
     * manifest names one ({@link Manifest#base}), every chunk listed otherwise.
     *
     * @param base the manifest of snapshot {@code manifest.base()}, or {@code null} when that is -1
     */
    static byte[] write(Manifest manifest, Manifest base, ChunkCodec checksums) {
        if ((base == null) != (manifest.base() < 0) || base != null && base.sequence() != manifest.base()) {
            throw new IllegalArgumentException("manifest " + manifest.sequence() + " names base " + manifest.base()
                    + ", given " + (base == null ? "none" : base.sequence()));
        }
        ChunkTable.Base against = base == null ? ChunkTable.Base.NONE : new ChunkTable.Base(base.chunks());
        Map<String, Integer> packs = new LinkedHashMap<>();
        List<byte[]> tables = new ArrayList<>();
        for (Manifest.StoredRoot root : manifest.roots()) {
            tables.add(ChunkTable.encode(root.chunks(), against, packs));
        }
        ObjectNode node = JsonTrees.object();
        node.put("format", Manifest.FORMAT);
        node.put("sequence", manifest.sequence());
        node.put("time", manifest.time().toString());
        node.put("reason", manifest.reason());
        node.put("parent", manifest.parent());
        node.put("base", manifest.base());
        node.put("pauseNanos", manifest.pauseNanos());
        node.put("writeNanos", manifest.writeNanos());
        node.put("agent", manifest.agent());
        node.put("jvm", manifest.jvm());
        node.put("keyId", manifest.keyId());
        ArrayNode classes = node.putArray("classes");
        manifest.classes().forEach(classes::add);
        ArrayNode packNames = node.putArray("packs");
        packs.keySet().forEach(packNames::add);
        ArrayNode roots = node.putArray("roots");
        for (int i = 0; i < manifest.roots().size(); i++) {
            Manifest.StoredRoot root = manifest.roots().get(i);
            ObjectNode r = roots.addObject();
            r.put("kind", root.kind().name());
            r.put("owner", root.owner());
            r.put("key", root.key());
            ArrayNode fields = r.putArray("fields");
            root.fields().forEach(fields::add);
            r.put("bytes", root.bytes());
            if (root.sharesObjects()) {
                r.put("shares", true); // absent otherwise: manifests without it read as before
            }
            r.put("chunks", Base64.getEncoder().encodeToString(tables.get(i)));
        }
        node.put("checksum", checksum(node, checksums));
        return JsonTrees.write(node, true);
    }

    /** Finds the manifest a manifest of format 3 or 4 is stored against. */
    @FunctionalInterface
    interface Bases {
        Manifest manifest(long sequence) throws IOException;
    }

    /**
     * Parses and verifies a manifest; one of format 3 or 4 stored against a base is resolved with it.
     *
     * @param bases where its base is read; {@code null} when it is read as a base, which must have none
     * @throws CorruptSnapshotException if it is not a manifest, or not the one its checksum vouches for
     */
    static Manifest read(byte[] bytes, String file, ChunkCodec codec, Bases bases) throws IOException {
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
        if (format < Manifest.FORMAT_2 || format > Manifest.FORMAT) {
            throw new CorruptSnapshotException(file + " has format " + object.path("format") + "; this version reads "
                    + Manifest.FORMAT_2 + " to " + Manifest.FORMAT + " (and version 1 snapshot files)");
        }
        String keyId = object.path("keyId").isTextual() ? object.get("keyId").asText() : null;
        ChunkCodec checksums = codec.forKey(keyId, file);
        String stated = object.remove("checksum").asText();
        if (!stated.equals(checksum(object, checksums))) {
            throw new CorruptSnapshotException(file + " does not match its checksum");
        }
        long sequence;
        long base;
        Manifest against = null;
        try {
            sequence = number(object, "sequence", 0, MAX_SEQUENCE);
            base = format == Manifest.FORMAT_2 ? -1 : number(object, "base", -1, sequence - 1);
        } catch (IllegalArgumentException e) {
            throw new CorruptSnapshotException(file + " is not a manifest: " + e.getMessage());
        }
        if (base >= 0) {
            against = base(file, base, keyId, bases);
        }
        try {
            List<String> classes = new ArrayList<>();
            required(object, "classes").forEach(c -> classes.add(c.asText()));
            List<String> packs = new ArrayList<>();
            if (format != Manifest.FORMAT_2) {
                for (JsonNode pack : required(object, "packs")) {
                    if (!PACK_NAME.matcher(pack.asText()).matches()) {
                        throw new IllegalArgumentException("'packs' names " + pack + ", not a pack");
                    }
                    packs.add(pack.asText());
                }
            }
            ChunkTable.Base table = against == null ? ChunkTable.Base.NONE : new ChunkTable.Base(against.chunks());
            int room = MAX_CHUNKS;
            List<Manifest.StoredRoot> roots = new ArrayList<>();
            for (JsonNode r : required(object, "roots")) {
                List<String> fields = new ArrayList<>();
                required(r, "fields").forEach(f -> fields.add(f.asText()));
                List<Manifest.ChunkRef> chunks = format == Manifest.FORMAT_2 ? chunksOfFormat2(r)
                        : ChunkTable.decode(Base64.getDecoder().decode(text(r, "chunks")), packs, table, room,
                                format >= Manifest.FORMAT);
                room -= chunks.size();
                long declared = chunks.stream().mapToLong(Manifest.ChunkRef::bytes).sum();
                long rootBytes = number(r, "bytes", 0, MAX_ROOT_BYTES);
                if (rootBytes != declared) {
                    throw new IllegalArgumentException("root " + text(r, "owner") + " has " + declared
                            + " bytes in its chunks, 'bytes' says " + rootBytes);
                }
                roots.add(new Manifest.StoredRoot(Root.Kind.valueOf(text(r, "kind")), text(r, "owner"),
                        r.path("key").isTextual() ? r.get("key").asText() : null, fields, rootBytes, chunks,
                        r.path("shares").booleanValue()));
            }
            return new Manifest(sequence, time(text(object, "time")),
                    text(object, "reason"), number(object, "parent", -1, MAX_SEQUENCE), base,
                    number(object, "pauseNanos", Long.MIN_VALUE, Long.MAX_VALUE),
                    number(object, "writeNanos", Long.MIN_VALUE, Long.MAX_VALUE),
                    text(object, "agent"), text(object, "jvm"), keyId, classes, roots);
        } catch (IllegalArgumentException | DateTimeParseException e) {
            throw new CorruptSnapshotException(file + " is not a manifest: " + e.getMessage());
        }
    }

    /**
     * The full manifest that {@code file} is stored against: one that does not read, is not full,
     * or has another key makes this one unreadable too (never a snapshot assembled from the wrong chunks).
     *
     * @param bases {@code null} when {@code file} is read as a base itself
     */
    private static Manifest base(String file, long base, String keyId, Bases bases) throws IOException {
        if (bases == null) {
            throw new CorruptSnapshotException(file + " is the base of another snapshot but is stored against snapshot "
                    + base + " itself (a base must list every chunk)");
        }
        Manifest against;
        try {
            against = bases.manifest(base);
        } catch (CorruptSnapshotException e) {
            CorruptSnapshotException damaged = new CorruptSnapshotException(file + " is stored against snapshot "
                    + base + ", which does not read: " + e.getMessage());
            damaged.initCause(e);
            throw damaged;
        }
        if (against.base() >= 0) {
            throw new CorruptSnapshotException(file + " is stored against snapshot " + base
                    + ", which is stored against another itself (a base must list every chunk)");
        }
        if (!Objects.equals(against.keyId(), keyId)) {
            throw new CorruptSnapshotException(file + " is stored against snapshot " + base
                    + ", which has another key");
        }
        return against;
    }

    /** A root's chunks as format 2 lists them: one JSON object each. */
    private static List<Manifest.ChunkRef> chunksOfFormat2(JsonNode root) {
        List<Manifest.ChunkRef> chunks = new ArrayList<>();
        for (JsonNode c : required(root, "chunks")) {
            chunks.add(new Manifest.ChunkRef(matching(c, "name", CHUNK_NAME),
                    matching(c, "pack", PACK_NAME),
                    number(c, "offset", 0, Long.MAX_VALUE - ChunkCodec.MAX_STORED),
                    (int) number(c, "length", ChunkCodec.MIN_STORED, ChunkCodec.MAX_STORED),
                    (int) number(c, "bytes", 0, Chunker.MAX)));
        }
        return chunks;
    }

    /**
     * A manifest's {@code time} as {@link Instant#toString} writes it ({@code 2026-12-05T23:48:05.382Z}),
     * read without {@code DateTimeFormatter}, whose first parse cost a JVM with state to restore 20
     * to 40 ms before the state's owner could run; any other form is left to {@link Instant#parse}.
     */
    static Instant time(String text) {
        int end = text.length() - 1;
        if (end >= 19 && end <= 29 && text.charAt(4) == '-' && text.charAt(7) == '-' && text.charAt(10) == 'T'
                && text.charAt(13) == ':' && text.charAt(16) == ':' && text.charAt(end) == 'Z'
                && (end == 19 || text.charAt(19) == '.' && end > 20)) {
            int year = digits(text, 0, 4);
            int month = digits(text, 5, 7);
            int day = digits(text, 8, 10);
            int hour = digits(text, 11, 13);
            int minute = digits(text, 14, 16);
            int second = digits(text, 17, 19);
            int fraction = end == 19 ? 0 : digits(text, 20, end);
            if ((year | month | day | hour | minute | second | fraction) >= 0) {
                int nanos = fraction;
                for (int i = end - 20; i < 9 && end > 19; i++) {
                    nanos *= 10;
                }
                try {
                    return LocalDateTime.of(year, month, day, hour, minute, second, nanos).toInstant(ZoneOffset.UTC);
                } catch (DateTimeException e) {
                    // not a date (a 30th of February, a leap second): the full parser decides
                }
            }
        }
        return Instant.parse(text);
    }

    /** The decimal number {@code text[from, to)}, or -1 if it is not all digits. */
    private static int digits(String text, int from, int to) {
        int value = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static String checksum(ObjectNode node, ChunkCodec checksums) {
        return checksums.name(JsonTrees.write(node, false));
    }

    /** An integer member within {@code [min, max]}: nothing a manifest declares is used unchecked. */
    private static long number(JsonNode node, String name, long min, long max) {
        JsonNode value = required(node, name);
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            throw outside(name, value, min, max);
        }
        return within(name, value.asLong(), min, max);
    }

    /** {@code value}, if it is within {@code [min, max]}. */
    static long within(String name, long value, long min, long max) {
        if (value < min || value > max) {
            throw outside(name, value, min, max);
        }
        return value;
    }

    private static IllegalArgumentException outside(String name, Object value, long min, long max) {
        return new IllegalArgumentException("'" + name + "' is " + value + ", not a whole number from " + min
                + " to " + max);
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
