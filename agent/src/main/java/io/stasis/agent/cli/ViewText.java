package io.stasis.agent.cli;

import java.io.PrintWriter;

/**
 * A {@link View} as text: on one line when it fits, otherwise one member per line, indented.
 * {@code Entry{number=1, at=2026-01-01T00:00:00Z}}, {@code long[64] [1000, 1000, … 62 more]},
 * {@code HashMap(2) {"a": 1, "b": 2}}, {@code "text…" (5000 chars)}.
 */
final class ViewText {

    private static final int WIDTH = 110;

    private ViewText() {
    }

    /** Prints {@code prefix} and the view, continuing lines at {@code indent}. */
    static void print(PrintWriter out, String indent, String prefix, View view) {
        String line = line(view);
        if (indent.length() + prefix.length() + line.length() <= WIDTH || !(view instanceof View.Composite c)
                || c.members().isEmpty()) {
            out.println(indent + prefix + line);
            return;
        }
        out.println(indent + prefix + header(c) + open(c));
        String inner = indent + "    ";
        for (View.Member m : c.members()) {
            print(out, inner, label(m), m.value());
        }
        if (c.more() > 0) {
            out.println(inner + "… " + c.more() + " more");
        }
        out.println(indent + close(c));
    }

    /** The view on one line. */
    static String line(View view) {
        if (view instanceof View.Scalar s) {
            return s.text();
        }
        if (view instanceof View.Text t) {
            return quote(t.shown()) + (t.cut() ? "… (" + t.length() + " chars)" : "");
        }
        if (view instanceof View.Cut c) {
            return View.simpleName(c.type()) + (c.why().equals("depth") ? "{…}" : " (" + c.why() + ")");
        }
        View.Composite c = (View.Composite) view;
        StringBuilder s = new StringBuilder(header(c)).append(open(c));
        String separator = "";
        for (View.Member m : c.members()) {
            s.append(separator).append(label(m)).append(line(m.value()));
            separator = ", ";
        }
        if (c.more() > 0) {
            s.append(separator).append("… ").append(c.more()).append(" more");
        }
        return s.append(close(c)).toString();
    }

    private static String label(View.Member m) {
        if (m.name() != null) {
            return m.name() + "=";
        }
        return m.key() != null ? line(m.key()) + ": " : "";
    }

    private static String header(View.Composite c) {
        String name = View.simpleName(c.type());
        if (c.form() == View.Form.OBJECT) {
            return name;
        }
        if (name.endsWith("[]")) {
            return name.substring(0, name.length() - 1) + c.size() + "] ";
        }
        return name + "(" + c.size() + ") ";
    }

    private static String open(View.Composite c) {
        return c.form() == View.Form.SEQUENCE ? "[" : "{";
    }

    private static String close(View.Composite c) {
        return c.form() == View.Form.SEQUENCE ? "]" : "}";
    }

    private static String quote(String s) {
        StringBuilder q = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '"' -> q.append("\\\"");
                case '\\' -> q.append("\\\\");
                case '\n' -> q.append("\\n");
                case '\r' -> q.append("\\r");
                case '\t' -> q.append("\\t");
                default -> {
                    if (ch < 0x20 || ch == 0x7f) {
                        q.append(String.format("\\u%04x", (int) ch));
                    } else {
                        q.append(ch);
                    }
                }
            }
        }
        return q.append('"').toString();
    }
}
