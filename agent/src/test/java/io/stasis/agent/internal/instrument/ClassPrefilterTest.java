package io.stasis.agent.internal.instrument;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stasis.agent.internal.config.OptionsParser;
import io.stasis.agent.testing.PrefilterFixtures.GrandchildOfState;
import io.stasis.agent.testing.PrefilterFixtures.InheritsState;
import io.stasis.agent.testing.PrefilterFixtures.Legacy;
import io.stasis.agent.testing.PrefilterFixtures.LegacyChild;
import io.stasis.agent.testing.PrefilterFixtures.Plain;
import io.stasis.agent.testing.PrefilterFixtures.PlainChild;
import io.stasis.agent.testing.PrefilterFixtures.WithState;
import io.stasis.agent.testing.PrefilterFixtures.Worker;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** Fixtures live outside the agent's own packages, which the filter never looks into. */
class ClassPrefilterTest {

    private final ClassPrefilter none = new ClassPrefilter(OptionsParser.parse("dir=x", new Properties()));

    @Test
    void classesThatNameTheApiMayNeedInstrumentation() throws IOException {
        assertTrue(mayNeed(none, WithState.class));
        assertTrue(mayNeed(none, Worker.class));
    }

    @Test
    void subclassesOfStatefulClassesMayNeedInstrumentationAtAnyDepth() throws IOException {
        assertTrue(mayNeed(none, InheritsState.class));
        assertTrue(mayNeed(none, GrandchildOfState.class));
    }

    @Test
    void classesWithoutStateNeedNothing() throws IOException {
        assertFalse(mayNeed(none, Plain.class));
        assertFalse(mayNeed(none, PlainChild.class));
        assertFalse(mayNeed(none, String.class));
    }

    @Test
    void classesNamedByTheOptionsAndTheirSubclassesMayNeedInstrumentation() throws IOException {
        ClassPrefilter named = new ClassPrefilter(OptionsParser.parse(
                "dir=x,fields=" + Legacy.class.getName() + "#total", new Properties()));
        assertTrue(mayNeed(named, Legacy.class));
        assertTrue(mayNeed(named, LegacyChild.class));
        assertFalse(mayNeed(named, Plain.class));
        ClassPrefilter quiesce = new ClassPrefilter(OptionsParser.parse(
                "dir=x,quiesce=*$Plain#*", new Properties()));
        assertTrue(mayNeed(quiesce, Plain.class));
    }

    @Test
    void bytesItCannotReadMayNeedInstrumentation() throws IOException {
        byte[] bytes = classFile(Plain.class);
        assertNull(ClassPrefilter.ClassFacts.read(Arrays.copyOf(bytes, bytes.length / 2)));
        assertTrue(none.mayNeed(getClass().getClassLoader(), "x/Broken", Arrays.copyOf(bytes, 40)));
        assertTrue(none.mayNeed(getClass().getClassLoader(), "x/Broken", new byte[]{1, 2, 3}));
    }

    @Test
    void readsTheSuperclassOfRealClassFiles() throws IOException {
        assertEquals(Plain.class.getName().replace('.', '/'),
                ClassPrefilter.ClassFacts.read(classFile(PlainChild.class)).superclass());
        assertEquals("java/lang/Object", ClassPrefilter.ClassFacts.read(classFile(Plain.class)).superclass());
    }

    private static boolean mayNeed(ClassPrefilter filter, Class<?> type) throws IOException {
        return filter.mayNeed(type.getClassLoader(), type.getName().replace('.', '/'), classFile(type));
    }

    private static byte[] classFile(Class<?> type) throws IOException {
        String resource = type.getName().replace('.', '/') + ".class";
        ClassLoader loader = type.getClassLoader() != null ? type.getClassLoader() : ClassLoader.getSystemClassLoader();
        try (InputStream in = loader.getResourceAsStream(resource)) {
            return in.readAllBytes();
        }
    }
}
