package io.stasis.kryo.schema;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import java.util.HashMap;
import java.util.Map;

/**
 * One local class's read plans, by the stored schema they read: a plan is made the first time a
 * schema is met and reused by every later graph that stores the class under the same schema, so
 * that restoring many roots or snapshots of one application version builds each plan once. Each
 * graph still carries, and this still reads, the schema before the class's first object.
 *
 * <p>Like the serializer that holds it, used by one Kryo, so by one thread at a time.
 */
final class ReadPlans {

    /** Distinct stored schemas remembered per class: a few versions of an application, not what damaged bytes can invent. */
    static final int MAX_SCHEMAS = 16;
    /** Larger schemas are planned per graph: what is kept between graphs stays small whatever the bytes claimed. */
    static final int MAX_KEPT_FIELDS = 1_024;

    private final LocalSchema local;
    private final GraphMark<ReadPlan> inGraph = new GraphMark<>();
    private final Map<LocalSchema.Stored, ReadPlan> byStoredSchema = new HashMap<>();

    ReadPlans(LocalSchema local) {
        this.local = local;
    }

    /** The plan for the class in this graph: from the schema stored before its first object, then as found then. */
    ReadPlan forGraph(Kryo kryo, Input input) {
        ReadPlan plan = inGraph.get(kryo);
        if (plan == null) {
            LocalSchema.Stored schema = LocalSchema.Stored.read(input, EvolvingSerializer.MAX_FIELDS);
            plan = byStoredSchema.get(schema);
            if (plan == null) {
                plan = ReadPlan.of(schema, local);
                if (schema.names().length <= MAX_KEPT_FIELDS) {
                    if (byStoredSchema.size() >= MAX_SCHEMAS) {
                        byStoredSchema.clear();
                    }
                    byStoredSchema.put(schema, plan);
                }
            }
            plan.report(kryo);
            inGraph.set(kryo, plan);
        }
        return plan;
    }

    /** How many stored schemas have a plan (for tests). */
    int size() {
        return byStoredSchema.size();
    }
}
