package io.stasis.kryo.schema;

/**
 * A Kryo that numbers its graphs: the number changes with every reset, so with every graph. The
 * evolving serializers then tell whether they met their class in the current graph by comparing
 * two numbers instead of looking it up in the graph context for every object.
 */
public interface GraphCounting {

    /** The current graph's number. */
    long graph();
}
