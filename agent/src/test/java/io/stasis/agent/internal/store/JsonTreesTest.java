package io.stasis.agent.internal.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The manifests' JSON without an ObjectMapper is byte for byte what an ObjectMapper makes of it. */
class JsonTreesTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String SAMPLE = "{\"format\":2,\"sequence\":12345678901,\"time\":\"2026-12-04T15:00:00Z\","
            + "\"reason\":\"exit \\\"quoted\\\" \\u00e9\\n\",\"parent\":-1,\"keyId\":null,\"ok\":true,\"ratio\":0.5,"
            + "\"big\":123456789012345678901234567890,\"classes\":[\"java.util.HashMap\",\"a$B\"],"
            + "\"roots\":[{\"kind\":\"STATIC\",\"key\":null,\"fields\":[],\"chunks\":[{\"offset\":0,\"length\":17}]}],"
            + "\"empty\":{},\"nested\":[[1,[2,{}]]]}";

    @Test
    void readsTheTreeAnObjectMapperReads() throws IOException {
        byte[] bytes = SAMPLE.getBytes(StandardCharsets.UTF_8);
        assertEquals(MAPPER.readTree(bytes), JsonTrees.read(bytes));
    }

    @Test
    void writesTheBytesAnObjectMapperWrites() throws IOException {
        JsonNode tree = JsonTrees.read(SAMPLE.getBytes(StandardCharsets.UTF_8));
        assertArrayEquals(MAPPER.writeValueAsBytes(tree), JsonTrees.write(tree, false));
        assertArrayEquals(MAPPER.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(tree),
                JsonTrees.write(tree, true));
    }

    @Test
    void refusesWhatIsNotOneJsonValue() {
        for (String bad : new String[]{"", "{", "{\"a\":1} {}", "[1,]", "{\"a\" 1}", "nul"}) {
            assertThrows(IOException.class, () -> JsonTrees.read(bad.getBytes(StandardCharsets.UTF_8)), bad);
        }
    }
}
