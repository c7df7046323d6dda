package io.stasis.agent.internal.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Base64;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;

/** The chunk names a manifest of format 3 lists itself (its {@code CHUNK} entries), read as a test sees the bytes. */
public final class ManifestNames {

    private ManifestNames() {
    }

    public static Set<String> of(byte[] manifest) throws IOException {
        Set<String> names = new HashSet<>();
        for (JsonNode root : new ObjectMapper().readTree(manifest).path("roots")) {
            byte[] table = Base64.getDecoder().decode(root.path("chunks").asText());
            int at = 0;
            while (at < table.length) {
                if (table[at++] == 0) { // COPY: start, count
                    at = skipVarints(table, at, 2);
                } else { // CHUNK: name, then pack, offset, length, bytes
                    names.add(HexFormat.of().formatHex(table, at, at + 32));
                    at = skipVarints(table, at + 32, 4);
                }
            }
        }
        return names;
    }

    private static int skipVarints(byte[] table, int at, int count) {
        for (int i = 0; i < count; i++) {
            while ((table[at++] & 0x80) != 0) {
                // continuation byte
            }
        }
        return at;
    }
}
