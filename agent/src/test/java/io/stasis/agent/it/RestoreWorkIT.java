package io.stasis.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.esotericsoftware.kryo.io.Output;
import io.stasis.agent.internal.store.FileSnapshotStore;
import io.stasis.agent.internal.store.Root;
import io.stasis.agent.internal.store.Snapshot;
import io.stasis.agent.internal.store.StoreKey;
import io.stasis.agent.it.apps.HashBombApp;
import io.stasis.agent.testing.AgentLog;
import io.stasis.agent.testing.ForkedJvm;
import io.stasis.agent.testing.Jdk;
import io.stasis.api.Stasis;
import io.stasis.kryo.AllowedClasses;
import io.stasis.kryo.SnapshotKryo;
import io.stasis.kryo.ValueGraph;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * A crafted snapshot cannot make start-up work forever: the root that would is skipped, the rest
 * restored. Only a snapshot its store's key authenticated is rebuilt without that bound.
 */
class RestoreWorkIT {

    private static final String CLASS_PATH = ForkedJvm.classPathOf(HashBombApp.class, Stasis.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    /**
     * {@code levels} sets, each holding two sets that share the next one: 2<sup>levels</sup> steps to
     * hash. Built top-down, each set added while still empty, so that building it hashes nothing.
     */
    private static Set<Object> nestedSets(int levels) {
        Set<Object> top = new HashSet<>();
        Set<Object> level = top;
        for (int i = 0; i < levels; i++) {
            Set<Object> shared = new HashSet<>();
            for (String side : List.of("l", "r")) {
                Set<Object> child = new HashSet<>();
                child.add(side + i);
                level.add(child);
                child.add(shared);
            }
            level = shared;
        }
        return top;
    }

    private static byte[] graph(Object value) {
        return ValueGraph.write(SnapshotKryo.create(RestoreWorkIT.class.getClassLoader(), AllowedClasses.any()),
                new Output(256, -1), List.of(value));
    }

    @ParameterizedTest
    @MethodSource("io.stasis.agent.testing.Jdks#all")
    void nestedSharedSetsAreSkippedAndStartUpCompletes(Jdk jdk, @TempDir Path dir) throws Exception {
        byte[] bomb = graph(nestedSets(100));
        assertTrue(bomb.length < 4096, bomb.length + " bytes");
        String tags = HashBombApp.Tags.class.getName();
        try (FileSnapshotStore store = FileSnapshotStore.openForWriting(dir)) {
            store.write(new Snapshot(store.nextSequence(), Instant.now(), "crafted", 0, List.of(
                    new Root(Root.Kind.STATIC, HashBombApp.Counter.class.getName(), null, List.of("count"), graph(41)),
                    new Root(Root.Kind.STATIC, tags, null, List.of("name"), bomb))));
        }
        try (ForkedJvm app = ForkedJvm.on(jdk).agent("dir=" + dir).classPath(CLASS_PATH).main(HashBombApp.class).start()) {
            assertEquals(0, app.awaitExit(TIMEOUT), app.output());
            assertTrue(app.lines().contains("count=41"), app.output());
            assertTrue(app.lines().contains("name=from-constructor"), app.output());
            assertTrue(AgentLog.messages(app.lines(), "ERROR").stream().anyMatch(l -> l.startsWith("could not restore static " + tags
                    + " from snapshot 1") && l.contains("rebuilding it would hash through more than")), app.output());
        }
        // The final snapshot holds what the application had: the skipped root is not carried forward.
        try (FileSnapshotStore store = FileSnapshotStore.openForReading(dir)) {
            Snapshot next = store.read(store.list().get(0));
            assertEquals(2, next.sequence());
            Root root = next.roots().stream().filter(r -> r.owner().equals(tags)).findFirst().orElseThrow();
            assertEquals(List.of("from-constructor"), ValueGraph.read(SnapshotKryo.create(
                    RestoreWorkIT.class.getClassLoader(), AllowedClasses.any()), root.data(), 1));
        }
    }

    /**
     * Nested shared sets past the budget but quick enough to hash (2<sup>23</sup> steps, seconds), in
     * a store sealed with the application's key: written by a holder of the key, so rebuilt
     * without the budget. The graph then meets the field's declared type, which it does not fit.
     */
    @ParameterizedTest
    @MethodSource("io.stasis.agent.testing.Jdks#all")
    void aSnapshotTheKeyAuthenticatedIsRebuiltWithoutTheBudget(Jdk jdk, @TempDir Path dir) throws Exception {
        Path store = dir.resolve("store");
        Path keyFile = dir.resolve("key");
        Files.writeString(keyFile, "0123456789abcdef".repeat(4) + "\n");
        String tags = HashBombApp.Tags.class.getName();
        try (FileSnapshotStore sealed = FileSnapshotStore.openForWriting(store, StoreKey.read(keyFile))) {
            sealed.write(new Snapshot(sealed.nextSequence(), Instant.now(), "sealed", 0, List.of(
                    new Root(Root.Kind.STATIC, HashBombApp.Counter.class.getName(), null, List.of("count"), graph(41)),
                    new Root(Root.Kind.STATIC, tags, null, List.of("name"), graph(nestedSets(23))))));
        }
        try (ForkedJvm app = ForkedJvm.on(jdk).agent("dir=" + store + ",encryption-key=" + keyFile)
                .classPath(CLASS_PATH).main(HashBombApp.class).start()) {
            assertEquals(0, app.awaitExit(TIMEOUT), app.output());
            assertTrue(app.lines().contains("count=41"), app.output());
            assertTrue(app.lines().contains("name=from-constructor"), app.output());
            assertFalse(app.output().contains("rebuilding it would hash through more than"), app.output());
            assertTrue(app.output().contains("field name is now java.lang.String, snapshot has java.util.HashSet"),
                    app.output());
        }
    }
}
