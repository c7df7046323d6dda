package io.stasis.agent.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * A {@link View} as JSON: numbers, booleans, strings and null as themselves; an object as
 * {@code {"@type": ..., field: value, ...}}; a sequence as {@code {"@type", "size", "elements",
 * "more"}}; a map as {@code {"@type", "size", "entries": [{"key", "value"}], "more"}}; a cut string
 * as {@code {"string": first characters, "length": all}}; what is not shown as
 * {@code {"@type", "@cut": "depth" | "cycle" | reason}}.
 */
final class ViewJson {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private ViewJson() {
    }

    static JsonNode of(View view) {
        if (view instanceof View.Scalar s) {
            return scalar(s.json());
        }
        if (view instanceof View.Text t) {
            return t.cut() ? NODES.objectNode().put("string", t.shown()).put("length", t.length()) : NODES.textNode(t.shown());
        }
        if (view instanceof View.Cut c) {
            return NODES.objectNode().put("@type", c.type()).put("@cut", c.why());
        }
        return composite((View.Composite) view);
    }

    private static JsonNode composite(View.Composite c) {
        ObjectNode node = NODES.objectNode().put("@type", c.type());
        if (c.form() == View.Form.OBJECT) {
            c.members().forEach(m -> node.set(m.name(), of(m.value())));
            return node;
        }
        node.put("size", c.size());
        ArrayNode members = node.putArray(c.form() == View.Form.SEQUENCE ? "elements" : "entries");
        for (View.Member m : c.members()) {
            if (c.form() == View.Form.SEQUENCE) {
                members.add(of(m.value()));
            } else {
                members.addObject().<ObjectNode>set("key", of(m.key())).set("value", of(m.value()));
            }
        }
        if (c.more() > 0) {
            node.put("more", c.more());
        }
        return node;
    }

    private static JsonNode scalar(Object value) {
        if (value == null) {
            return NODES.nullNode();
        }
        if (value instanceof Boolean b) {
            return NODES.booleanNode(b);
        }
        if (value instanceof Double d) {
            return NODES.numberNode(d);
        }
        if (value instanceof Float f) {
            return NODES.numberNode(f);
        }
        if (value instanceof BigDecimal b) {
            return NODES.numberNode(b);
        }
        if (value instanceof BigInteger b) {
            return NODES.numberNode(b);
        }
        if (value instanceof Number n) {
            return NODES.numberNode(n.longValue());
        }
        return NODES.textNode(value.toString());
    }
}
