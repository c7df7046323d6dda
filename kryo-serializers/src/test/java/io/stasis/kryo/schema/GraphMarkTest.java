package io.stasis.kryo.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.stasis.kryo.AllowedClasses;
import io.stasis.kryo.SnapshotKryo;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A mark lasts for the graph it was set in, whether or not the Kryo numbers its graphs. */
class GraphMarkTest {

    /**
     * The snapshot Kryo, which numbers its graphs, or a plain Kryo with the evolving serializers,
     * which does not.
     */
    private static Kryo kryo(boolean counting) {
        if (counting) {
            Kryo kryo = SnapshotKryo.create(GraphMarkTest.class.getClassLoader(),
                    AllowedClasses.jdk().andReachableFrom(ReadPlansTest.Account.class));
            assertTrue(kryo instanceof GraphCounting);
            return kryo;
        }
        Kryo kryo = new Kryo();
        kryo.setRegistrationRequired(false);
        EvolvingSerializers.addTo(kryo);
        return kryo;
    }

    @ParameterizedTest(name = "counting={0}")
    @ValueSource(booleans = {true, false})
    void aMarkHoldsUntilTheGraphEnds(boolean counting) {
        Kryo kryo = kryo(counting);
        GraphMark<String> mark = new GraphMark<>();
        assertNull(mark.get(kryo));
        mark.set(kryo, "plan");
        assertEquals("plan", mark.get(kryo));
        kryo.reset();
        assertNull(mark.get(kryo), "a new graph starts unmarked");
        mark.set(kryo, "next");
        assertEquals("next", mark.get(kryo));
    }

    @ParameterizedTest(name = "counting={0}")
    @ValueSource(booleans = {true, false})
    void aMarkSetWithOneKryoIsNotSeenByAnother(boolean counting) {
        Kryo one = kryo(counting);
        Kryo other = kryo(counting);
        GraphMark<String> mark = new GraphMark<>();
        mark.set(one, "plan");
        assertNull(mark.get(other));
    }

    @ParameterizedTest(name = "counting={0}")
    @ValueSource(booleans = {true, false})
    void eachGraphCarriesTheSchemaOnceAndReadsBackWithIt(boolean counting) {
        Kryo writer = kryo(counting);
        ReadPlansTest.Account a = new ReadPlansTest.Account();
        a.id = "a";
        ReadPlansTest.Account b = new ReadPlansTest.Account();
        b.id = "b";
        Output output = new Output(256, -1);
        writer.writeClassAndObject(output, List.of(a)); // a graph of its own: Kryo resets after it
        int one = output.position();
        writer.writeClassAndObject(output, List.of(a, b));
        int two = output.position() - one;
        writer.writeClassAndObject(output, List.of(b));
        int again = output.position() - one - two;
        assertEquals(one, again, "the next graph carries the schema again");
        assertTrue(two < 2 * one - 10, "one schema for two objects: " + one + " / " + two);

        Kryo reader = kryo(counting);
        Input input = new Input(output.toBytes());
        assertEquals("a", ((ReadPlansTest.Account) ((List<?>) reader.readClassAndObject(input)).get(0)).id);
        List<?> pair = (List<?>) reader.readClassAndObject(input);
        assertEquals("b", ((ReadPlansTest.Account) pair.get(1)).id);
        assertEquals("b", ((ReadPlansTest.Account) ((List<?>) reader.readClassAndObject(input)).get(0)).id);
    }
}
