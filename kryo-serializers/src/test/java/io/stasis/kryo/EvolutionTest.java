package io.stasis.kryo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Output;
import io.stasis.kryo.schema.Problems;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two versions of the same application classes, compiled here: a graph written with version 1 is
 * read with version 2, the next release of the application. Between them: fields added, removed,
 * renamed, reordered and widened, a field moved to a supertype, enum constants reordered, a record
 * component added and widened, a class renamed, and one incompatible change.
 */
class EvolutionTest {

    private static final Map<String, String> VERSION_1 = Map.of(
            "evo/Status.java", "package evo; public enum Status { NEW, PAID }",
            "evo/Line.java", "package evo; public record Line(String sku, int count) {}",
            "evo/Address.java", "package evo; public class Address { String street; Address(String s) { street = s; } }",
            "evo/Order.java", """
                    package evo;
                    import java.util.*;
                    public class Order {
                        String id; int quantity; float price; long created; String note;
                        List<String> tags = new ArrayList<>(); Status status; Line line; long total; Order self;
                        Address address = new Address("1 Main St");
                        String label = "lbl"; Object memo = "memo"; String none; String shared = "shared";
                        String sharedToo = shared;
                        public Order() {}
                        public static Order sample() {
                            Order o = new Order(); o.id = "o-1"; o.quantity = 7; o.price = 2.5f; o.created = 1_700_000_000_000L;
                            o.note = "gone in v2"; o.tags.add("rush"); o.status = Status.PAID; o.line = new Line("sku-9", 3);
                            o.total = 5_000_000_000L; o.self = o; return o;
                        }
                    }
                    """);

    private static final Map<String, String> VERSION_2 = Map.of(
            "evo/Status.java", "package evo; public enum Status { CANCELLED, PAID, NEW }",
            "evo/Line.java", """
                    package evo;
                    public record Line(String unit, String sku, long count) {
                        public Line { if (unit == null) unit = "pcs"; }
                    }
                    """,
            "evo/Location.java", """
                    package evo;
                    @io.stasis.api.RenamedFrom("evo.Address")
                    public class Location { String street; String city = "unknown"; }
                    """,
            "evo/Order.java", """
                    package evo;
                    import java.util.*;
                    import io.stasis.api.RenamedFrom;
                    public class Order {
                        Line line; Status status; Order self;
                        long quantity; double price; @RenamedFrom("created") long createdAt;
                        Collection<String> tags = new ArrayList<>(); String added = "constructor value";
                        int total = 99; String id; @RenamedFrom("address") Location location;
                        CharSequence label; String memo; String none = "constructor value"; Object shared; String sharedToo;
                        public Order() {}
                    }
                    """);

    @TempDir
    static Path work;
    private static ClassLoader v1;
    private static ClassLoader v2;

    @BeforeAll
    static void compileBothVersions() throws IOException {
        v1 = compile("v1", VERSION_1);
        v2 = compile("v2", VERSION_2);
    }

    @Test
    void aGraphWrittenByVersion1RestoresIntoVersion2() throws Exception {
        Object written = v1.loadClass("evo.Order").getMethod("sample").invoke(null);
        Kryo writer = SnapshotKryo.create(v1, AllowedClasses.jdk().andReachableFrom(written.getClass()));
        byte[] bytes = ValueGraph.write(writer, new Output(256, -1), List.of(written));

        Object order = assertRestoredIntoVersion2(bytes);
        assertEquals("lbl", get(order, "label"), "a String field into a CharSequence field");
        assertEquals("memo", get(order, "memo"), "a String an Object field held into a String field");
        assertEquals(null, get(order, "none"), "a stored null replaces the constructor value");
        assertTrue(get(order, "shared") == get(order, "sharedToo"), "a string shared by two fields stays shared");
    }

    /**
     * Version 1's sample as an earlier build wrote it ({@code evolving-form/order-v1.bin}): the
     * stored form does not drift unnoticed, and what was written once keeps restoring.
     */
    @Test
    void aGraphWrittenByAnEarlierBuildStillRestores() throws Exception {
        byte[] bytes;
        try (InputStream fixture = getClass().getResourceAsStream("/evolving-form/order-v1.bin")) {
            bytes = fixture.readAllBytes();
        }
        assertRestoredIntoVersion2(bytes);
    }

    private static Object assertRestoredIntoVersion2(byte[] bytes) throws Exception {
        Kryo reader = SnapshotKryo.create(v2, AllowedClasses.jdk().andReachableFrom(v2.loadClass("evo.Order")));
        Object order = ValueGraph.read(reader, bytes, 1).get(0);
        assertEquals("evo.Order", order.getClass().getName());
        assertEquals(v2, order.getClass().getClassLoader());
        assertEquals("o-1", get(order, "id"));
        assertEquals(7L, get(order, "quantity"), "int widened to long");
        assertEquals(2.5d, get(order, "price"), "float widened to double");
        assertEquals(1_700_000_000_000L, get(order, "createdAt"), "renamed with @RenamedFrom");
        assertEquals(List.of("rush"), get(order, "tags"), "a List into a Collection field");
        assertEquals("constructor value", get(order, "added"), "an added field keeps its constructor value");
        assertEquals("PAID", ((Enum<?>) get(order, "status")).name(), "enum constants by name, not position");
        assertTrue(order == get(order, "self"), "a cycle stays a cycle");
        Object location = get(order, "location");
        assertEquals("evo.Location", location.getClass().getName(), "class renamed with @RenamedFrom");
        assertEquals("1 Main St", get(location, "street"));
        assertEquals("unknown", get(location, "city"));

        Object line = get(order, "line");
        assertEquals("sku-9", line.getClass().getMethod("sku").invoke(line));
        assertEquals(3L, line.getClass().getMethod("count").invoke(line), "record component widened");
        assertEquals("pcs", line.getClass().getMethod("unit").invoke(line), "the compact constructor ran");

        assertEquals(99, get(order, "total"), "long into int is not restored: the constructor value stays");
        List<String> problems = Problems.drain(reader);
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("evo.Order.total was long and is now int"), problems.get(0));
        return order;
    }

    @Test
    void theSchemaIsWrittenOncePerGraphNotPerObject() throws Exception {
        Kryo kryo = SnapshotKryo.create(v1, AllowedClasses.jdk().andPackages(List.of("evo.*")));
        Method sample = v1.loadClass("evo.Order").getMethod("sample");
        List<Object> one = List.of(sample.invoke(null));
        List<Object> many = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            many.add(sample.invoke(null));
        }
        int single = ValueGraph.write(kryo, new Output(256, -1), List.of(one)).length;
        int hundred = ValueGraph.write(kryo, new Output(256, -1), List.of(many)).length;
        assertTrue(hundred < 100 * single * 0.6, "100 objects take " + hundred + " bytes, one takes " + single);
    }

    private static Object get(Object object, String name) throws ReflectiveOperationException {
        Field field = object.getClass().getDeclaredField(name);
        field.setAccessible(true);
        return field.get(object);
    }

    private static ClassLoader compile(String version, Map<String, String> sources) throws IOException {
        Path src = work.resolve(version + "-src");
        Path classes = work.resolve(version);
        List<String> arguments = new ArrayList<>(List.of("-d", classes.toString(), "--release", "17",
                "-cp", System.getProperty("java.class.path")));
        for (Map.Entry<String, String> source : sources.entrySet()) {
            Path file = src.resolve(source.getKey());
            Files.createDirectories(file.getParent());
            Files.writeString(file, source.getValue());
            arguments.add(file.toString());
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertEquals(0, javac.run(null, null, null, arguments.toArray(String[]::new)), "compiling " + version);
        return new URLClassLoader(new URL[] {classes.toUri().toURL()}, EvolutionTest.class.getClassLoader());
    }
}
