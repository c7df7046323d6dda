package io.stasis.kryo;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.Output;
import java.io.ByteArrayInputStream;
import java.net.Socket;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.DoubleAccumulator;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** JDK state that cannot be restored is refused when it is written, with a {@link KryoException}, never at read time. */
class UnsupportedJdkTypesTest {

    /** A field holding it, as application state would. */
    record Holder(Object value) {
    }

    private static KryoException refusedOnWrite(Object value) {
        Kryo kryo = TestKryo.create(UnsupportedJdkTypesTest.class.getClassLoader());
        return assertThrows(KryoException.class, () -> ValueGraph.write(kryo, new Output(256, -1), List.of(new Holder(value))));
    }

    static Stream<Arguments> closedJdkInternals() {
        return Stream.of(
                Arguments.of(Named.of("Thread", (Supplier<Object>) () -> new Thread(() -> { }))),
                Arguments.of(Named.of("Socket", (Supplier<Object>) Socket::new)),
                Arguments.of(Named.of("InputStream", (Supplier<Object>) () -> new ByteArrayInputStream(new byte[] {1}))),
                Arguments.of(Named.of("InputStream (System.in)", (Supplier<Object>) () -> System.in)),
                Arguments.of(Named.of("ClassLoader (the application's)",
                        (Supplier<Object>) () -> UnsupportedJdkTypesTest.class.getClassLoader())),
                Arguments.of(Named.of("ClassLoader (URLClassLoader)", (Supplier<Object>) () -> new URLClassLoader(new URL[0]))),
                Arguments.of(Named.of("HashMap.keySet() view", (Supplier<Object>) () -> new HashMap<>(Map.of(1, 2)).keySet())),
                Arguments.of(Named.of("HashMap.values() view", (Supplier<Object>) () -> new HashMap<>(Map.of(1, 2)).values())),

                Arguments.of(Named.of("URL (hashing it resolves its host)", (Supplier<Object>) () -> url("https://example.invalid/"))),
                Arguments.of(Named.of("lambda", (Supplier<Object>) () -> (Runnable) () -> { })));
    }

    private static URL url(String spec) {
        try {
            return java.net.URI.create(spec).toURL();
        } catch (java.net.MalformedURLException e) {
            throw new IllegalStateException(e);
        }
    }

    @ParameterizedTest(name = "{0} is refused at write")
    @MethodSource("closedJdkInternals")
    void refusedAtWrite(Supplier<Object> value) {
        Object instance = value.get();
        KryoException refused = refusedOnWrite(instance);
        assertTrue(refused.getMessage().contains(instance.getClass().getName()), refused.getMessage());
    }

    /**
     * Bytes that hold URLs anyway (written before they were refused, or crafted) are refused before
     * a URL exists: putting one into a HashSet would hash it, which resolves its host name.
     */
    @Test
    void urlsInBytesAreRefusedAtReadBeforeAnyIsMade() {
        Kryo writer = SnapshotKryo.create(getClass().getClassLoader(), AllowedClasses.any());
        writer.getRegistration(URL.class).setSerializer(new com.esotericsoftware.kryo.serializers.JavaSerializer());
        // A list, so that writing does not hash it either; what holds it does not matter to the refusal.
        List<URL> urls = new java.util.ArrayList<>(List.of(url("http://stasis-test-unresolvable-host.invalid/")));
        byte[] bytes = ValueGraph.write(writer, new Output(256, -1), List.of(new Holder(urls)));
        Kryo reader = TestKryo.create(getClass().getClassLoader());
        NotSnapshottableException refused = assertThrows(NotSnapshottableException.class,
                () -> ValueGraph.read(reader, bytes, 1));
        assertTrue(refused.getMessage().startsWith("java.net.URL cannot be part of a snapshot: it resolves its host name"),
                refused.getMessage());
    }

    @Test
    void aRestorableWrapperAroundAnUnrestorableViewIsRefusedAtWrite() {
        KryoException refused = refusedOnWrite(Collections.unmodifiableMap(new HashMap<>(Map.of(1, 2))).entrySet());
        assertTrue(refused.getMessage().contains("java.util.HashMap$EntrySet"), refused.getMessage());
    }

    @Test
    void accumulatorWithAMethodReferenceIsRefusedAtWrite() {
        KryoException refused = refusedOnWrite(new LongAccumulator(Math::max, Long.MIN_VALUE));
        assertTrue(refused.getMessage().contains("lambda or method reference"), refused.getMessage());
        assertTrue(refused.getMessage().contains("LongAccumulator"), refused.getMessage());
        refused = refusedOnWrite(new DoubleAccumulator((a, b) -> a + b, 0));
        assertTrue(refused.getMessage().contains("DoubleAccumulator"), refused.getMessage());
    }
}
