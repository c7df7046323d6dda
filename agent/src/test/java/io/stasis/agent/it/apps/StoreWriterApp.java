package io.stasis.agent.it.apps;

import io.stasis.agent.internal.store.FileSnapshotStore;
import io.stasis.agent.internal.store.Root;
import io.stasis.agent.internal.store.Snapshot;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Random;

/**
 * Writes snapshots to a store as fast as it can, with retention, until it is killed: each one's
 * data follows from its sequence number, so a reader can check a snapshot bit for bit. Says
 * "writing N" before and "committed N" after each write returns.
 */
public final class StoreWriterApp {

    private StoreWriterApp() {
    }

    /** The data of snapshot {@code sequence}: 1 to 3 MB, mostly shared with its predecessor. */
    public static byte[] data(long sequence) {
        Random shape = new Random(sequence);
        byte[] data = new byte[(1 << 20) + shape.nextInt(2 << 20)];
        new Random(7).nextBytes(data); // the same base every time: chunks repeat between snapshots
        Random change = new Random(sequence * 31);
        for (int i = 0; i < 8; i++) {
            int at = change.nextInt(data.length - 4096);
            for (int j = 0; j < 4096; j++) {
                data[at + j] = (byte) change.nextInt();
            }
        }
        return data;
    }

    public static void main(String[] args) throws Exception {
        try (FileSnapshotStore store = FileSnapshotStore.openForWriting(Path.of(args[0]))) {
            while (true) {
                long sequence = store.nextSequence();
                Snapshot snapshot = new Snapshot(sequence, Instant.now(), "crash-loop", 0, List.of(
                        new Root(Root.Kind.STATIC, "com.acme.State", null, List.of("data"), data(sequence))));
                System.out.println("writing " + sequence);
                store.write(snapshot);
                System.out.println("committed " + sequence);
                store.retain(3);
            }
        }
    }
}
