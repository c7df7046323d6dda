package io.stasis.kryo.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Read plans are made once per stored schema and reused by later graphs, problems and all. */
class ReadPlansTest {

    static final class Account {
        String id;
        int count;
    }

    private final Kryo kryo = new Kryo();
    private final LocalSchema local = LocalSchema.of(Account.class);
    private final ReadPlans plans = new ReadPlans(local);

    @Test
    void graphsThatStoreTheSameSchemaShareOnePlan() {
        ReadPlan first = plans.forGraph(kryo, schema(local));
        assertSame(first, plans.forGraph(kryo, new Input(new byte[0])), "within a graph the schema is read once");
        kryo.reset();
        ReadPlan second = plans.forGraph(kryo, schema(local));
        assertSame(first, second, "the next graph reuses the plan");
        assertEquals(1, plans.size());
    }

    @Test
    void anotherStoredSchemaGetsItsOwnPlan() {
        ReadPlan current = plans.forGraph(kryo, schema(local));
        kryo.reset();
        ReadPlan older = plans.forGraph(kryo, schema(List.of("id"), List.of(Kind.REFERENCE)));
        assertNotSame(current, older);
        assertEquals(2, plans.size());
    }

    @Test
    void aCachedPlanReportsItsProblemsInEveryGraph() {
        Input narrowed = schema(List.of("id", "count"), List.of(Kind.REFERENCE, Kind.LONG));
        plans.forGraph(kryo, narrowed);
        List<String> first = Problems.drain(kryo);
        kryo.reset();
        plans.forGraph(kryo, schema(List.of("id", "count"), List.of(Kind.REFERENCE, Kind.LONG)));
        List<String> second = Problems.drain(kryo);
        assertEquals(1, first.size(), first.toString());
        assertTrue(first.get(0).contains("count was long and is now int"), first.get(0));
        assertEquals(first, second, "the second graph, read through the kept plan, reports the same problem");
    }

    @Test
    void whatDamagedBytesCanInventStaysBounded() {
        for (int i = 0; i < 10 * ReadPlans.MAX_SCHEMAS; i++) {
            plans.forGraph(kryo, schema(List.of("invented" + i), List.of(Kind.INT)));
            kryo.reset();
        }
        assertTrue(plans.size() <= ReadPlans.MAX_SCHEMAS, plans.size() + " schemas kept");
        String[] many = new String[ReadPlans.MAX_KEPT_FIELDS + 1];
        Kind[] kinds = new Kind[many.length];
        for (int i = 0; i < many.length; i++) {
            many[i] = "f" + i;
            kinds[i] = Kind.INT;
        }
        int before = plans.size();
        plans.forGraph(kryo, schema(List.of(many), List.of(kinds)));
        assertEquals(before, plans.size(), "a schema larger than any kept is planned for its graph only");
    }

    private static Input schema(LocalSchema local) {
        Output output = new Output(64, -1);
        local.write(output);
        return new Input(output.toBytes());
    }

    private static Input schema(List<String> names, List<Kind> kinds) {
        Output output = new Output(64, -1);
        output.writeVarInt(names.size(), true);
        for (int i = 0; i < names.size(); i++) {
            output.writeString(names.get(i));
            output.writeByte(kinds.get(i).ordinal());
        }
        return new Input(output.toBytes());
    }
}
