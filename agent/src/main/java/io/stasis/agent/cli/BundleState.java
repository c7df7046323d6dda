package io.stasis.agent.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stasis.agent.internal.store.Root;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/** A decrypted bundle's {@code summary.txt} and {@code state/} roots, for {@code decrypt --render}. */
record BundleState(String summary, List<Root> roots, String stateMissing) {

    /** Larger than any root a capture writes; a bigger entry is not read into memory. */
    private static final long MAX_ENTRY = 1L << 30;

    static BundleState read(Path zip) throws IOException {
        try (ZipFile archive = new ZipFile(zip.toFile())) {
            String summary = archive.getEntry("summary.txt") == null ? null
                    : new String(bytes(archive, "summary.txt"), StandardCharsets.UTF_8);
            if (archive.getEntry("state/index.json") == null) {
                return new BundleState(summary, List.of(), "the bundle holds no state/ (see its manifest.json)");
            }
            JsonNode index = new ObjectMapper().readTree(bytes(archive, "state/index.json"));
            List<Root> roots = new ArrayList<>();
            for (JsonNode root : index.path("roots")) {
                List<String> fields = new ArrayList<>();
                root.path("fields").forEach(f -> fields.add(f.asText()));
                Root.Kind kind = "STATIC".equals(root.path("kind").asText()) ? Root.Kind.STATIC : Root.Kind.INSTANCE;
                String key = root.hasNonNull("key") ? root.get("key").asText() : null;
                roots.add(new Root(kind, root.path("owner").asText(), key, fields, bytes(archive, root.path("file").asText())));
            }
            return new BundleState(summary, roots, null);
        }
    }

    private static byte[] bytes(ZipFile archive, String name) throws IOException {
        ZipEntry entry = archive.getEntry(name);
        if (entry == null || !name.startsWith("state/") && !name.equals("summary.txt")) {
            throw new IOException("the bundle has no " + name + " (named by its state/index.json)");
        }
        try (InputStream in = archive.getInputStream(entry)) {
            byte[] data = in.readNBytes((int) Math.min(MAX_ENTRY, Integer.MAX_VALUE - 8));
            if (in.read() >= 0) {
                throw new IOException(name + " in the bundle is larger than " + (MAX_ENTRY >> 20) + " MB: not rendered");
            }
            return data;
        }
    }
}
