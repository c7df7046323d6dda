package io.stasis.kryo;

import com.esotericsoftware.kryo.KryoException;

/**
 * Rebuilding a graph would cost more hashing than its size can justify: collections that share
 * their children, nested so that {@code hashCode} and {@code equals} follow exponentially many
 * paths (a {@code HashSet} of sets of sets ... costs 2<sup>depth</sup>). Refused before the work
 * is done; see {@link ReadCost}.
 */
public final class GraphTooCostlyException extends KryoException {
    private static final long serialVersionUID = 1L;

    GraphTooCostlyException(long budget, int position) {
        super("rebuilding it would hash through more than " + budget + " nested elements (shared collections"
                + " nested inside each other, at byte " + position + "); a snapshot this size cannot hold that"
                + " legitimately, so it is damaged or crafted");
    }
}
