package io.stasis.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stasis.agent.internal.store.ForgedManifests;
import io.stasis.agent.it.apps.StateApp;
import io.stasis.agent.testing.AgentLog;
import io.stasis.agent.testing.ForkedJvm;
import io.stasis.agent.testing.Jdk;
import io.stasis.agent.testing.Jdks;
import io.stasis.agent.testing.OtherUser;
import io.stasis.api.Stasis;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The agent against a store someone tampered with, in a JVM with a modest heap: a crafted
 * manifest makes that snapshot damaged and start-up restores the one before it (it once aborted
 * the JVM); a plain snapshot planted in an encrypted store is not authenticated and not restored;
 * a store directory that is another user's link stops start-up with one line naming {@code dir}.
 */
class StoreHostileIT {

    private static final String CLASS_PATH = ForkedJvm.classPathOf(StateApp.class, Stasis.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    /** What each case forges, by name. */
    interface Forgery {
        long forge(Path store) throws Exception;
    }

    static Stream<Arguments> forgeries() {
        List<Arguments> cases = new ArrayList<>();
        for (Jdk jdk : Jdks.all()) {
            cases.add(Arguments.of(jdk, "chunk bytes 2147483000", "'bytes' is 2147483000",
                    (Forgery) store -> ForgedManifests.forgeChunkBytes(store, 2_147_483_000)));
            cases.add(Arguments.of(jdk, "chunk bytes -5", "'bytes' is -5",
                    (Forgery) store -> ForgedManifests.forgeChunkBytes(store, -5)));
            cases.add(Arguments.of(jdk, "a 300 MB manifest", "is 314572800 bytes; the format allows at most",
                    (Forgery) store -> ForgedManifests.forgeHugeManifest(store, 300L << 20)));
            // Within every bound, but 2 GB to allocate: the OutOfMemoryError means damaged, not a dead start-up.
            cases.add(Arguments.of(jdk, "2 GB of one repeated chunk", "java.lang.OutOfMemoryError",
                    (Forgery) store -> ForgedManifests.forgeRepeatedChunk(store, 32_000)));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("forgeries")
    void aCraftedManifestIsDamagedAndStartUpRestoresTheSnapshotBeforeIt(Jdk jdk, String what, String reason,
                                                                        Forgery forgery, @TempDir Path dir)
            throws Exception {
        String after = run(jdk, "dir=" + dir).after;
        long forged = forgery.forge(dir);
        Run second = run(jdk, "dir=" + dir);
        assertEquals(after, second.before, "restored the snapshot before the forged one\n" + second.output);
        String warning = AgentLog.messages(second.output, "WARNING").stream().filter(l -> l.startsWith("snapshot " + forged
                + " is damaged and will not be restored")).findFirst().orElseThrow(() -> new AssertionError(second.output));
        assertTrue(warning.contains(reason), warning);
    }

    @ParameterizedTest
    @MethodSource("io.stasis.agent.testing.Jdks#all")
    void aPlainSnapshotPlantedInAnEncryptedStoreIsNotAuthenticatedAndNotRestored(Jdk jdk, @TempDir Path dir)
            throws Exception {
        Path key = Files.writeString(dir.resolve("key"), "0123456789abcdef".repeat(4) + "\n");
        Path encrypted = dir.resolve("encrypted");
        Path plain = dir.resolve("plain");
        String options = "dir=" + encrypted + ",encryption-key=" + key;
        String genuine = run(jdk, options).after;
        run(jdk, "dir=" + plain);
        String planted = run(jdk, "dir=" + plain).after;
        long forged = ForgedManifests.copyPlainAsNext(plain, encrypted);

        Run refused = run(jdk, options + ",on-exit=false");
        assertEquals(genuine, refused.before, refused.output);
        assertTrue(AgentLog.has(refused.output, "WARNING", "snapshot " + forged + " is not authenticated and will not"
                + " be restored"), refused.output);

        Run migrated = run(jdk, options + ",on-exit=false,encryption.accept-plain=true");
        assertEquals(planted, migrated.before, "the option reads it, to migrate a plain store\n" + migrated.output);
    }

    @ParameterizedTest
    @MethodSource("io.stasis.agent.testing.Jdks#all")
    void aStoreDirectoryThatIsAnotherUsersLinkStopsStartUp(Jdk jdk, @TempDir Path dir) throws Exception {
        OtherUser other = OtherUser.require();
        Path target = Files.createDirectory(dir.resolve("victim"));
        Path link = other.own(Files.createSymbolicLink(dir.resolve("store"), target));
        try (ForkedJvm app = ForkedJvm.on(jdk).agent("dir=" + link).classPath(CLASS_PATH)
                .main(StateApp.class, "advance-exit").start()) {
            assertEquals(1, app.awaitExit(TIMEOUT), app.output());
            List<String> errors = AgentLog.messages(app.lines(), "ERROR");
            assertEquals(1, errors.size(), app.output());
            assertTrue(errors.get(0).startsWith("option 'dir': " + link + " is a symbolic link owned by uid "
                    + other.uid()), errors.get(0));
            assertTrue(app.lines().stream().noneMatch(l -> l.startsWith("before=")), "the application must not run");
        }
        try (Stream<Path> files = Files.list(target)) {
            assertEquals(0, files.count(), "nothing was written through the link");
        }
    }

    private record Run(String before, String after, String output) {
    }

    /** One generation of StateApp with a small heap; it must start, restore and exit normally. */
    private static Run run(Jdk jdk, String options) throws Exception {
        try (ForkedJvm app = ForkedJvm.on(jdk).jvmOption("-Xmx96m").agent(options).classPath(CLASS_PATH)
                .main(StateApp.class, "advance-exit").start()) {
            String before = app.awaitLineContaining("before=", TIMEOUT).substring("before=".length());
            String after = app.awaitLineContaining("after=", TIMEOUT).substring("after=".length());
            assertEquals(0, app.awaitExit(TIMEOUT), app.output());
            return new Run(before, after, app.output());
        }
    }
}
