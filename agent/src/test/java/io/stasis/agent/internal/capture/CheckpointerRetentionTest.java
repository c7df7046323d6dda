package io.stasis.agent.internal.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stasis.agent.internal.state.StateRegistry;
import io.stasis.agent.internal.store.FileSnapshotStore;
import io.stasis.agent.internal.store.Snapshot;
import io.stasis.agent.internal.store.SnapshotRef;
import io.stasis.agent.internal.store.SnapshotStore;
import io.stasis.kryo.AllowedClasses;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A snapshot that is committed stays reported as written when removing older ones then fails. */
class CheckpointerRetentionTest {

    /** The real store, except that retention fails. */
    private record RetentionFails(FileSnapshotStore store) implements SnapshotStore {
        @Override
        public long nextSequence() throws IOException {
            return store.nextSequence();
        }

        @Override
        public SnapshotRef write(Snapshot snapshot) throws IOException {
            return store.write(snapshot);
        }

        @Override
        public List<SnapshotRef> list() throws IOException {
            return store.list();
        }

        @Override
        public Snapshot read(SnapshotRef ref) throws IOException {
            return store.read(ref);
        }

        @Override
        public void retain(int keep) throws IOException {
            throw new IOException("Read-only file system");
        }

        @Override
        public void close() throws IOException {
            store.close();
        }
    }

    @Test
    void aFailedRetentionIsAWarningAboutTheWrittenSnapshot(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream original = System.err;
        try (SnapshotStore store = new RetentionFails(FileSnapshotStore.openForWriting(dir))) {
            Checkpointer checkpointer = new Checkpointer(new StateRegistry(List.of()), store, null, Duration.ofSeconds(1), 1,
                    AllowedClasses.jdk());
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            Checkpointer.Committed committed = checkpointer.checkpoint("test");
            assertEquals(List.of(committed.ref().sequence()), store.list().stream().map(SnapshotRef::sequence).toList());
        } finally {
            System.setErr(original);
        }
        String log = err.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains(" WARNING snapshot 1 was written, but older snapshots could not be removed (keep=1):"
                + " Read-only file system; the next checkpoint tries again"), log);
    }
}
