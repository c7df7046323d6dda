package io.stasis.agent.internal;

import com.esotericsoftware.kryo.util.Util;

/**
 * Initializes the agent's Kryo. From JDK 24 on, {@code sun.misc.Unsafe} memory access prints
 * warnings (and can be denied), so our copy runs without it there. Kryo reads {@code kryo.unsafe}
 * once, when its {@code Util} class initializes: the property is set only for that moment, so an
 * application's own Kryo still sees the property as the application left it. That must happen
 * before the application's code runs, since it could read the property in the meantime; before
 * JDK 24 no property is set, and it can wait until the agent's first Kryo.
 */
public final class KryoBootstrap {

    private static final String PROPERTY = "kryo.unsafe";

    private KryoBootstrap() {
    }

    private static boolean initialized;

    /** Whether {@link #initialize} must run before the application's code. */
    public static boolean beforeApplication() {
        return Runtime.version().feature() >= 24;
    }

    public static synchronized void initialize() {
        if (initialized) {
            return;
        }
        initialized = true;
        if (!beforeApplication() || System.getProperty(PROPERTY) != null) {
            Util.isUnsafeAvailable();
            return;
        }
        System.setProperty(PROPERTY, "false");
        try {
            Util.isUnsafeAvailable();
        } finally {
            System.clearProperty(PROPERTY);
        }
    }
}
