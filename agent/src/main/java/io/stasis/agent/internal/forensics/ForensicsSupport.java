package io.stasis.agent.internal.forensics;

import io.stasis.agent.internal.Log;
import io.stasis.agent.internal.capture.Checkpointer;
import io.stasis.agent.internal.config.AgentOptions;
import io.stasis.agent.internal.config.OptionsException;
import io.stasis.agent.internal.state.StateRegistry;
import io.stasis.agent.internal.store.Root;
import io.stasis.agent.internal.store.Snapshot;
import io.stasis.agent.internal.store.SnapshotRef;
import io.stasis.agent.internal.store.SnapshotStore;
import io.stasis.forensics.Forensics;
import io.stasis.forensics.ForensicsConfig;
import io.stasis.forensics.Reporter;
import io.stasis.forensics.StateSource;
import io.stasis.bootstrap.QuiesceGate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.List;

/**
 * Starts incident forensics ({@code forensics=on}) inside the agent and gives it the
 * {@code @Checkpointed} state through the agent's own capture path: a {@link Checkpointer} whose
 * store keeps the snapshot in memory, so a bundle's state holds exactly what a snapshot would, in
 * the same form (each root a Kryo value graph), and nothing is written unencrypted.
 */
public final class ForensicsSupport {

    private static final Object NO_CHECKPOINTS = new Object();
    private static volatile Forensics running;

    private ForensicsSupport() {
    }

    /**
     * @param checkpointer the agent's checkpointer, or {@code null}: a state capture for a bundle
     *                     holds its lock, so it never cuts at the same time as a checkpoint (both close
     *                     the same quiesce gate)
     * @throws OptionsException when forensics cannot work as configured
     */
    public static void start(AgentOptions options, StateRegistry registry, Checkpointer checkpointer) {
        ForensicsConfig config = options.forensics();
        if (config == null) {
            return;
        }
        InMemoryStore store = new InMemoryStore();
        Checkpointer capture = new Checkpointer(registry, store, null, config.stateTimeout(), 1, options.allowed());
        Object lock = checkpointer != null ? checkpointer : NO_CHECKPOINTS;
        StateSource state = timeout -> {
            Snapshot snapshot;
            synchronized (lock) {
                capture.checkpoint("forensics");
                snapshot = store.take();
            }
            List<StateSource.Root> roots = new ArrayList<>();
            for (Root root : snapshot.roots()) {
                roots.add(new StateSource.Root(root.kind().name(), root.owner(), root.key(), root.fields(), root.data()));
            }
            return roots;
        };
        BundleUploads uploads = options.forensicsUpload() == null ? null : BundleUploads.start(options.forensicsUpload());
        try {
            running = Forensics.start(config, state, new Reporter() {
                @Override
                public void info(String message) {
                    Log.info(message);
                }

                @Override
                public void warn(String message) {
                    Log.warn(message);
                }

                @Override
                public void error(String message, Throwable cause) {
                    Log.error(message, cause);
                }

                @Override
                public void written(java.nio.file.Path bundle) {
                    if (uploads != null) {
                        uploads.written(bundle);
                    }
                }
            });
        } catch (IllegalArgumentException e) {
            throw new OptionsException("option 'forensics.dir': " + e.getMessage());
        }
        if (config.slowUnit() != null) {
            watchUnits(running, config.slowUnit());
        }
    }

    /**
     * Samples the quiesce gate four times per bound: a thread seen inside the same unit (the same
     * entry count) for longer than the bound is reported once. The gate's fast path gains only an
     * increment; no clock is read on it.
     */
    private static void watchUnits(Forensics forensics, Duration bound) {
        long period = Math.max(10, bound.toMillis() / 4);
        Map<Thread, long[]> seen = new HashMap<>(); // thread -> {entries, first seen (nanos), reported}
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "stasis-forensics-units");
            thread.setDaemon(true);
            return thread;
        });
        sampler.scheduleAtFixedRate(() -> {
            try {
                long now = System.nanoTime();
                Map<Thread, Long> inside = QuiesceGate.unitsInProgress();
                seen.keySet().retainAll(inside.keySet());
                inside.forEach((thread, entries) -> {
                    long[] state = seen.get(thread);
                    if (state == null || state[0] != entries) {
                        seen.put(thread, new long[] {entries, now, 0});
                    } else if (state[2] == 0 && now - state[1] >= bound.toNanos()) {
                        state[2] = 1;
                        forensics.slowUnit(thread, Duration.ofNanos(now - state[1]));
                    }
                });
            } catch (RuntimeException e) {
                Log.error("the slow-unit watch failed", e);
            }
        }, period, period, TimeUnit.MILLISECONDS);
    }

    /** The running forensics, or {@code null}. */
    public static Forensics running() {
        return running;
    }

    /** Holds the one snapshot a capture writes, for the bundle; never touches the disk. */
    private static final class InMemoryStore implements SnapshotStore {
        private Snapshot last;

        synchronized Snapshot take() {
            Snapshot s = last;
            last = null;
            if (s == null) {
                throw new IllegalStateException("nothing captured");
            }
            return s;
        }

        @Override
        public long nextSequence() {
            return 0;
        }

        @Override
        public synchronized SnapshotRef write(Snapshot snapshot) {
            last = snapshot;
            return new SnapshotRef("forensics", snapshot.sequence(), snapshot.dataBytes());
        }

        @Override
        public List<SnapshotRef> list() {
            return List.of();
        }

        @Override
        public Snapshot read(SnapshotRef ref) {
            throw new UnsupportedOperationException("a forensics capture is not stored");
        }

        @Override
        public void retain(int keep) {
            // nothing is kept
        }

        @Override
        public void close() {
            // nothing to close
        }
    }
}
