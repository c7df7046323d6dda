package io.stasis.agent.internal.instrument;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stasis.agent.internal.config.AgentOptions;
import io.stasis.agent.internal.config.OptionsParser;
import io.stasis.agent.internal.state.Annotations;
import io.stasis.agent.testing.PrefilterFixtures;
import io.stasis.agent.testing.RewriteFixtures;
import io.stasis.bootstrap.QuiesceGate;
import io.stasis.bootstrap.Registrations;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The rewritten classes are defined by a class loader of their own, so the JVM verifies them: a
 * wrong stack map frame or exception table fails here with a {@link VerifyError}.
 */
class StateTransformerTest {

    private final List<Object> reported = new CopyOnWriteArrayList<>();

    @BeforeEach
    void listen() {
        Registrations.install(new Registrations.Listener() {
            @Override
            public void constructed(Object instance) {
                reported.add(instance);
            }

            @Override
            public void initialized(Class<?> type) {
                reported.add(type);
            }
        });
    }

    @AfterEach
    void stopListening() {
        Registrations.install(null);
    }

    @Test
    void unitsOfWorkAreInsideTheGateOnEveryPathAndOutsideAfterwards() throws Exception {
        Class<?> type = rewritten(RewriteFixtures.Units.class);
        Object units = type.getConstructor().newInstance();
        List<?> seen = (List<?>) type.getField("seen").get(units);

        assertEquals(0L + 0 + 2 + 4 + 4, call(units, "wide", 0L, 1.0d, 5), "the body still computes");
        assertEquals("42", call(units, "catchesItsOwn", "42"));
        assertEquals("not a number", call(units, "catchesItsOwn", "x"));
        InvocationTargetException failure = assertThrows(InvocationTargetException.class, () -> call(units, "fails", "why"));
        assertEquals("why", failure.getCause().getMessage(), "the body's own exception leaves unchanged");
        assertFalse(QuiesceGate.isInsideUnit(), "an exception leaves the unit");
        assertEquals(1, type.getMethod("nested", type).invoke(null, units));
        call(units, "empty");

        assertEquals(java.util.Collections.nCopies(9, true), seen);
        assertFalse(QuiesceGate.isInsideUnit(), "every exit leaves the unit");
    }

    @Test
    void classesWithStaticStateReportThemselvesOnceInitialized() throws Exception {
        Class<?> withoutInitializer = Class.forName(RewriteFixtures.StaticsOnly.class.getName(), true,
                loaderOf(RewriteFixtures.StaticsOnly.class));
        Class<?> withInitializer = Class.forName(RewriteFixtures.StaticsWithInitializer.class.getName(), true,
                loaderOf(RewriteFixtures.StaticsWithInitializer.class));
        assertEquals(List.of(withoutInitializer, withInitializer), reported);
        assertEquals(List.of("a"), withInitializer.getField("NAMES").get(null), "the initializer still runs");
    }

    @Test
    void instancesAreReportedByTheirOwnClassesConstructors() throws Exception {
        Rewriting loader = new Rewriting(RewriteFixtures.Owner.class, RewriteFixtures.OwnerChild.class);
        Object owner = loader.loadClass(RewriteFixtures.Owner.class.getName()).getConstructor().newInstance();
        Object child = loader.loadClass(RewriteFixtures.OwnerChild.class.getName()).getConstructor().newInstance();
        assertEquals(List.of(owner, owner, child), reported,
                "a delegating constructor reports again after its own assignments; a superclass's does not report");
        assertEquals(7L, child.getClass().getField("total").get(child));
    }

    @Test
    void classesThatNeedNothingAreLeftAlone() throws IOException {
        StateTransformer transformer = transformer("dir=x");
        assertNull(transformer.transform(getClass().getClassLoader(), internalName(PrefilterFixtures.Plain.class),
                null, null, classFile(PrefilterFixtures.Plain.class)));
    }

    @Test
    void membersNamedByTheOptionsAreInstrumentedWithoutAnnotations() throws Exception {
        String legacy = RewriteFixtures.Legacy.class.getName();
        Rewriting loader = new Rewriting("dir=x,fields=" + legacy + "#total,quiesce=" + legacy + "#work",
                RewriteFixtures.Legacy.class);
        Object instance = loader.loadClass(legacy).getConstructor().newInstance();
        assertEquals(List.of(instance), reported);
        assertEquals(true, call(instance, "work"));
    }

    @Test
    void theMembersAClassFileMarksAreReadFromItsBytes() throws IOException {
        AgentOptions options = OptionsParser.parse("dir=x", new Properties());
        ClassPlan plan = ClassPlan.read(classFile(RewriteFixtures.Keyed.class), options.fields(), options.quiesce(),
                new PatternUsage(null, options));
        assertEquals(Map.of(Annotations.CHECKPOINTED, Set.of("created", "count"),
                Annotations.CHECKPOINT_KEY, Set.of("id", "key()Ljava/lang/String;")), plan.marks(),
                "a key method with parameters is not one");
        assertTrue(plan.staticState() && plan.instanceState());
    }

    @Test
    void bytesThatAreNotAClassAreLoadedUnchanged() {
        StateTransformer transformer = transformer("dir=x");
        assertNull(transformer.transform(getClass().getClassLoader(), "com/acme/Broken", null, null,
                new byte[] {(byte) 0xCA, (byte) 0xFE, (byte) 0xBA, (byte) 0xBE, 0, 0, 0, 61, 0, 9, 1}));
    }

    private static Object call(Object target, String name, Object... args) throws Exception {
        for (Method method : target.getClass().getMethods()) {
            if (method.getName().equals(name)) {
                return method.invoke(target, args);
            }
        }
        throw new NoSuchMethodException(name);
    }

    private static Class<?> rewritten(Class<?> type) throws ClassNotFoundException {
        return loaderOf(type).loadClass(type.getName());
    }

    private static ClassLoader loaderOf(Class<?> type) {
        return new Rewriting(type);
    }

    private static StateTransformer transformer(String options) {
        AgentOptions parsed = OptionsParser.parse(options, new Properties());
        return new StateTransformer(new ClassPrefilter(parsed), parsed, new PatternUsage(null, parsed), null);
    }

    private static String internalName(Class<?> type) {
        return type.getName().replace('.', '/');
    }

    private static byte[] classFile(Class<?> type) throws IOException {
        try (InputStream in = type.getClassLoader().getResourceAsStream(internalName(type) + ".class")) {
            return in.readAllBytes();
        }
    }

    /** Defines the given classes itself, from their rewritten class files; everything else comes from its parent. */
    private static final class Rewriting extends ClassLoader {
        private final List<String> names;
        private final StateTransformer transformer;

        Rewriting(Class<?>... types) {
            this("dir=x", types);
        }

        Rewriting(String options, Class<?>... types) {
            super(StateTransformerTest.class.getClassLoader());
            this.names = Arrays.stream(types).map(Class::getName).toList();
            this.transformer = transformer(options);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            synchronized (getClassLoadingLock(name)) {
                if (!names.contains(name)) {
                    return super.loadClass(name, resolve);
                }
                Class<?> loaded = findLoadedClass(name);
                if (loaded != null) {
                    return loaded;
                }
                try {
                    Class<?> type = Class.forName(name, false, getParent());
                    byte[] rewritten = transformer.transform(this, internalName(type), null, null, classFile(type));
                    assertTrue(rewritten != null, name + " is instrumented");
                    return defineClass(name, rewritten, 0, rewritten.length);
                } catch (IOException e) {
                    throw new ClassNotFoundException(name, e);
                }
            }
        }
    }
}
