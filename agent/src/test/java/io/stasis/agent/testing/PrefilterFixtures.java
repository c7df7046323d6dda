package io.stasis.agent.testing;

import io.stasis.api.Checkpointed;
import io.stasis.api.QuiescePoint;

/** Classes for {@code ClassPrefilterTest}, in a package instrumentation may touch. */
public final class PrefilterFixtures {

    private PrefilterFixtures() {
    }

    public static class Plain {
        public int value;
    }

    public static class PlainChild extends Plain {
    }

    public static class WithState {
        @Checkpointed
        public long count;
    }

    /** Names nothing of the API itself: its constructor reports instances because its superclass has state. */
    public static class InheritsState extends WithState {
    }

    public static class GrandchildOfState extends InheritsState {
    }

    public static class Worker {
        @QuiescePoint
        public void work() {
        }
    }

    public static class Legacy {
        public long total;
    }

    public static class LegacyChild extends Legacy {
    }

}
