package io.stasis.kryo;

import com.esotericsoftware.kryo.KryoException;

/**
 * A value that cannot be part of a snapshot: a thread, an open connection or stream, a class
 * loader, a lock held at the cut. Thrown when it is written, so it is never discovered at restore.
 */
public class NotSnapshottableException extends KryoException {
    private static final long serialVersionUID = 1L;

    private final String typeName;
    private final String reason;

    public NotSnapshottableException(Class<?> type, String reason) {
        super(type.getName() + " cannot be part of a snapshot: " + reason);
        this.typeName = type.getName();
        this.reason = reason;
    }

    public String typeName() {
        return typeName;
    }

    public String reason() {
        return reason;
    }
}
