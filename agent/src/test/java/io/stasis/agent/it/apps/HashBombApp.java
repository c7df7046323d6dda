package io.stasis.agent.it.apps;

import io.stasis.api.Checkpointed;

/**
 * Two classes with static state, for a crafted snapshot: one root holds what its fields declare,
 * the other a graph that no restore should rebuild. Prints both once start-up is done.
 */
public final class HashBombApp {

    /** Its field declares a String: the crafted snapshot holds nested sets there instead. */
    public static final class Tags {
        @Checkpointed
        static String name = "from-constructor";
    }

    public static final class Counter {
        @Checkpointed
        static int count = 0;
    }

    private HashBombApp() {
    }

    public static void main(String[] args) {
        System.out.println("count=" + Counter.count);
        System.out.println("name=" + Tags.name);
    }
}
