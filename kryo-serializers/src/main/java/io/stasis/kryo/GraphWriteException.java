package io.stasis.kryo;

import com.esotericsoftware.kryo.KryoException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Writing one value of a {@link ValueGraph} failed. Says which value, the path of fields from it to
 * what failed (outermost first, as {@code Connection.socket}), and why.
 */
public final class GraphWriteException extends KryoException {
    private static final long serialVersionUID = 1L;

    private final int index;
    private final List<String> path;
    private final String reason;

    GraphWriteException(int index, KryoException failure) {
        super(failure);
        this.index = index;
        this.path = pathOf(failure);
        this.reason = reasonOf(failure);
    }

    /** Which of the values written failed, counting from 0. */
    public int index() {
        return index;
    }

    /** Fields from the value to the failure, outermost first, such as {@code [Connection.socket]}. */
    public List<String> path() {
        return path;
    }

    /** What went wrong, without Kryo's trace. */
    public String reason() {
        return reason;
    }

    @Override
    public String getMessage() {
        return (path.isEmpty() ? "" : String.join(" → ", path) + ": ") + reason;
    }

    private static String reasonOf(KryoException failure) {
        String message = failure.getMessage();
        int trace = message == null ? -1 : message.indexOf("\nSerialization trace:");
        String reason = trace < 0 ? message : message.substring(0, trace);
        Throwable cause = failure.getCause();
        if ((reason == null || reason.isBlank()) && cause != null) {
            reason = cause.toString();
        }
        return reason == null ? failure.getClass().getName() : reason;
    }

    /** Kryo's field serializers add "field (declaring.Class)" lines to the trace, innermost first. */
    private static List<String> pathOf(KryoException failure) {
        String message = failure.getMessage();
        int trace = message == null ? -1 : message.indexOf("\nSerialization trace:\n");
        if (trace < 0) {
            return List.of();
        }
        List<String> path = new ArrayList<>();
        for (String line : message.substring(trace + "\nSerialization trace:\n".length()).split("\n")) {
            int open = line.indexOf(" (");
            if (open > 0 && line.endsWith(")")) {
                String owner = line.substring(open + 2, line.length() - 1);
                path.add(owner.substring(owner.lastIndexOf('.') + 1) + "." + line.substring(0, open));
            }
        }
        Collections.reverse(path);
        return List.copyOf(path);
    }
}
