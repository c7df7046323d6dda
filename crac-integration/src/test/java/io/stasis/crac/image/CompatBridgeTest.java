package io.stasis.crac.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stasis.crac.compat.Core;
import java.lang.ref.WeakReference;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The compat bridge and the image sequence as applications reach them: through the real
 * {@code org.crac} library, with {@code org.crac.Core.Compat=io.stasis.crac.compat} (set by the build,
 * as the agent sets it in premain). The dumper says "dumped" without running CRIU, as it does after
 * a {@code --leave-running} dump.
 */
class CompatBridgeTest {

    private final List<String> calls = new ArrayList<>();
    private final List<org.crac.Resource> held = new ArrayList<>();
    @TempDir
    Path tmp;

    @AfterEach
    void uninstall() {
        Core.install(null);
    }

    @Test
    void resourcesRegisteredThroughOrgCracAreKeptAndNotifiedInCracOrder() throws Exception {
        register("a", false, false);
        register("b", false, false);
        register("c", false, false);
        Core.install(this::notifyAround);

        org.crac.Core.checkpointRestore();

        assertEquals(List.of("before c", "before b", "before a", "image", "after a", "after b", "after c"),
                calls.subList(calls.indexOf("before c"), calls.size()));
    }

    @Test
    void everyFailureIsCollectedAndAfterRestoreRunsEvenForTheResourceThatFailed() {
        register("ok", false, false);
        register("bad-before", true, false);
        register("bad-after", false, true);
        Core.install(this::notifyAround);

        org.crac.CheckpointException e = assertThrows(org.crac.CheckpointException.class,
                org.crac.Core::checkpointRestore);

        List<String> messages = Arrays.stream(e.getSuppressed()).map(Throwable::getMessage).toList();
        assertTrue(messages.contains("bad-before refuses"), messages.toString());
        assertTrue(messages.contains("bad-after fails after"), "the after failure is kept too: " + messages);
        assertTrue(calls.contains("after bad-before"), "afterRestore also for the one that failed: " + calls);
        assertTrue(calls.contains("after ok"), calls.toString());
        assertTrue(!calls.contains("image"), "no image when a Resource refuses: " + calls);
    }

    @Test
    void withoutAnEngineTheCheckpointFailsAndSaysWhy() {
        org.crac.CheckpointException e = assertThrows(org.crac.CheckpointException.class,
                org.crac.Core::checkpointRestore);
        assertTrue(Arrays.stream(e.getSuppressed()).anyMatch(t -> t.getMessage().contains("-javaagent:stasis-agent.jar")),
                Arrays.toString(e.getSuppressed()));
    }

    @Test
    void registeringDoesNotKeepAResourceAlive() throws Exception {
        org.crac.Resource resource = new Recording("gone", false, false);
        WeakReference<org.crac.Resource> reference = new WeakReference<>(resource);
        org.crac.Core.getGlobalContext().register(resource);
        resource = null;
        for (int i = 0; i < 50 && reference.get() != null; i++) {
            System.gc();
            Thread.sleep(10);
        }
        assertEquals(null, reference.get(), "the bridge holds Resources weakly");
        Core.install(this::notifyAround);
        org.crac.Core.checkpointRestore();
        assertTrue(calls.stream().noneMatch(c -> c.endsWith("gone")), calls.toString());
    }

    /** What the agent's engine does when the application calls {@code Core.checkpointRestore()}. */
    private void notifyAround() throws io.stasis.crac.compat.CheckpointException, io.stasis.crac.compat.RestoreException {
        ImageDir dir = new ImageDir(tmp.resolve("image-" + System.nanoTime()));
        ImageCheckpoint.Outcome outcome = ImageCheckpoint.run(Core.getGlobalContext(), dir, d -> {
            calls.add("image");
            d.result(ImageDir.DUMPED);
        }, Duration.ofSeconds(10));
        assertEquals(ImageCheckpoint.Outcome.LEFT_RUNNING, outcome);
    }

    private void register(String name, boolean failBefore, boolean failAfter) {
        org.crac.Resource resource = new Recording(name, failBefore, failAfter);
        held.add(resource);
        org.crac.Core.getGlobalContext().register(resource);
    }

    private final class Recording implements org.crac.Resource {
        private final String name;
        private final boolean failBefore;
        private final boolean failAfter;

        Recording(String name, boolean failBefore, boolean failAfter) {
            this.name = name;
            this.failBefore = failBefore;
            this.failAfter = failAfter;
        }

        @Override
        public void beforeCheckpoint(org.crac.Context<? extends org.crac.Resource> context) throws Exception {
            calls.add("before " + name);
            if (failBefore) {
                throw new IllegalStateException(name + " refuses");
            }
        }

        @Override
        public void afterRestore(org.crac.Context<? extends org.crac.Resource> context) throws Exception {
            calls.add("after " + name);
            if (failAfter) {
                throw new IllegalStateException(name + " fails after");
            }
        }
    }
}
