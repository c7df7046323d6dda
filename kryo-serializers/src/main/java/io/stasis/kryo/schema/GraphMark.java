package io.stasis.kryo.schema;

import com.esotericsoftware.kryo.Kryo;

/**
 * What a serializer noted in the current graph of a Kryo: that it wrote its class's schema, or the
 * read plan the graph's schema for it gave. Kept in the serializer with the graph's number when the
 * Kryo counts its graphs ({@link GraphCounting}), otherwise in the Kryo's graph context, which every
 * graph starts empty.
 *
 * <p>Like the serializer that holds it, used by one Kryo, so by one thread at a time.
 */
final class GraphMark<T> {

    private final Object key = new Object();
    private Kryo kryo;
    private long graph;
    private T value;

    /** What was noted in the Kryo's current graph, or null. */
    @SuppressWarnings("unchecked")
    T get(Kryo kryo) {
        if (kryo instanceof GraphCounting counting) {
            return kryo == this.kryo && counting.graph() == graph ? value : null;
        }
        return (T) kryo.getGraphContext().get(key);
    }

    void set(Kryo kryo, T value) {
        if (kryo instanceof GraphCounting counting) {
            this.kryo = kryo;
            this.graph = counting.graph();
            this.value = value;
        } else {
            kryo.getGraphContext().put(key, value);
        }
    }
}
