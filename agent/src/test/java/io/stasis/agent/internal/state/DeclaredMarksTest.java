package io.stasis.agent.internal.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link OwnerType} takes a class's marks from what the instrumentation recorded of its class file,
 * and asks reflection only for a class it did not record. The classes here carry no annotations at
 * all, so whatever is found was recorded.
 */
class DeclaredMarksTest {

    static class Recorded {
        static long hits;
        long count;
        long other;

        String name() {
            return "n";
        }
    }

    static class RecordedChild extends Recorded {
        long own;
    }

    static class OtherKey {
        String name() {
            return "n";
        }
    }

    static class NotRecorded {
        long count;
    }

    @Test
    void recordedMarksAreTheOwnersState() throws Exception {
        DeclaredMarks.record(Recorded.class.getClassLoader(), Recorded.class.getName(),
                Map.of(Annotations.CHECKPOINTED, Set.of("hits", "count"),
                        Annotations.CHECKPOINT_KEY, Set.of(DeclaredMarks.methodKey("name", "()Ljava/lang/String;"))));
        OwnerType type = OwnerType.of(Recorded.class, List.of());
        assertEquals(Set.of("hits"), type.staticFields().keySet());
        assertEquals(Set.of("count"), type.instanceFields().keySet());
        assertTrue(type.isKeyed());
        assertEquals("n", type.keyOf(new Recorded()));

        OwnerType child = OwnerType.of(RecordedChild.class, List.of());
        assertEquals(Set.of("count"), child.instanceFields().keySet(), "a superclass's marks count for its subclasses");
    }

    @Test
    void aClassTheInstrumentationDidNotReadIsAskedByReflection() {
        OwnerType type = OwnerType.of(NotRecorded.class, List.of());
        assertFalse(type.hasInstanceState() || type.hasStaticState() || type.isKeyed());
    }

    @Test
    void aKeyMethodIsKnownByItsDescriptor() {
        DeclaredMarks.record(OtherKey.class.getClassLoader(), OtherKey.class.getName(),
                Map.of(Annotations.CHECKPOINT_KEY, Set.of(DeclaredMarks.methodKey("name", "()I"))));
        assertFalse(OwnerType.of(OtherKey.class, List.of()).isKeyed(),
                "name()Ljava/lang/String; is not the method name()I that the class file marked");
    }
}
