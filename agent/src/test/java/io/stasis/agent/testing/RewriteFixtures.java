package io.stasis.agent.testing;

import io.stasis.api.CheckpointKey;
import io.stasis.api.Checkpointed;
import io.stasis.api.QuiescePoint;
import io.stasis.bootstrap.QuiesceGate;
import java.util.ArrayList;
import java.util.List;

/** Classes for {@code StateTransformerTest}: shapes of code whose stack map frames the rewrite must keep valid. */
public final class RewriteFixtures {

    private RewriteFixtures() {
    }

    /** Units of work with wide locals, loops, their own handlers, and every way out. */
    public static class Units {
        /** Whether the thread was inside a unit at each point a method recorded. */
        public final List<Boolean> seen = new ArrayList<>();

        @QuiescePoint
        public long wide(long a, double b, int times) {
            long sum = a;
            double scaled = b;
            for (int i = 0; i < times; i++) {
                if ((i & 1) == 0) {
                    sum += i;
                } else {
                    scaled *= 2;
                }
            }
            seen.add(QuiesceGate.isInsideUnit());
            return sum + (long) scaled;
        }

        @QuiescePoint
        public String catchesItsOwn(String text) {
            try {
                seen.add(QuiesceGate.isInsideUnit());
                return Integer.toString(Integer.parseInt(text));
            } catch (NumberFormatException e) {
                seen.add(QuiesceGate.isInsideUnit());
                return "not a number";
            } finally {
                seen.add(QuiesceGate.isInsideUnit());
            }
        }

        @QuiescePoint
        public void fails(String why) {
            seen.add(QuiesceGate.isInsideUnit());
            if (why != null) {
                throw new IllegalStateException(why);
            }
        }

        @QuiescePoint
        public static int nested(Units units) {
            units.fails(null);
            units.seen.add(QuiesceGate.isInsideUnit());
            return 1;
        }

        @QuiescePoint
        public void empty() {
        }
    }

    /** Static state and no static initializer: the rewrite adds one. */
    public static class StaticsOnly {
        @Checkpointed
        public static int count;
    }

    /** Static state with a static initializer of its own. */
    public static class StaticsWithInitializer {
        @Checkpointed
        public static final List<String> NAMES = new ArrayList<>(List.of("a"));
    }

    public static class Owner {
        @Checkpointed
        public long total;

        public Owner() {
            this(0);
        }

        public Owner(long total) {
            this.total = total;
        }
    }

    /** Names nothing of the API: its constructor reports because its superclass owns state. */
    public static class OwnerChild extends Owner {
        public OwnerChild() {
            super(7);
        }
    }

    /** Code that cannot be changed: its state and unit of work are named by the agent's options. */
    public static class Legacy {
        public long total;

        public boolean work() {
            return QuiesceGate.isInsideUnit();
        }
    }

    /** Marks of every kind the instrumentation records for {@code OwnerType}. */
    public static class Keyed {
        @Checkpointed
        public static long created;

        @CheckpointKey
        public String id = "a";

        @Checkpointed
        public long count;

        public long other;

        @CheckpointKey
        public String key() {
            return id;
        }

        @CheckpointKey
        public String keyFor(String prefix) {
            return prefix + id;
        }
    }
}
