package io.stasis.kryo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import org.junit.jupiter.api.Test;

/**
 * This module's tests run three times (see the pom): on the build's JDK, on JDK 25, and on JDK 25
 * with {@code sun.misc.Unsafe} memory access denied. This checks that each run is on the JVM it
 * claims, so a misconfigured execution cannot pass silently.
 */
class JvmConfigurationTest {

    @Test
    void runsOnTheConfiguredJvm() throws Exception {
        String jvm = System.getProperty("stasis.test.jvm", "default");
        if (jvm.startsWith("jdk25")) {
            assertTrue(Runtime.version().feature() >= 25, "expected JDK 25 or later, runs on " + Runtime.version());
        }
        if (jvm.equals("jdk25-unsafe-denied")) {
            assertEquals("false", System.getProperty("kryo.unsafe"));
            Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
            Field theUnsafe = unsafeClass.getDeclaredField("theUnsafe");
            theUnsafe.setAccessible(true);
            Object unsafe = theUnsafe.get(null);
            Method allocate = unsafeClass.getMethod("allocateMemory", long.class);
            InvocationTargetException denied = assertThrows(InvocationTargetException.class, () -> allocate.invoke(unsafe, 8L));
            assertTrue(denied.getCause() instanceof UnsupportedOperationException, String.valueOf(denied.getCause()));
        }
    }
}
