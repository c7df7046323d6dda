package io.stasis.agent.internal;

import io.stasis.agent.internal.cadence.CheckpointSchedule;
import io.stasis.agent.internal.capture.CheckpointException;
import io.stasis.agent.internal.capture.Checkpointer;
import io.stasis.agent.internal.config.AgentOptions;
import io.stasis.agent.internal.config.OptionsException;
import io.stasis.agent.internal.events.GateWaits;
import io.stasis.agent.internal.forensics.ForensicsSupport;
import io.stasis.agent.internal.image.ImageHooks;
import io.stasis.agent.internal.image.ImageSupport;
import io.stasis.agent.internal.instrument.Instrumenter;
import io.stasis.agent.internal.restore.Restorer;
import io.stasis.agent.internal.restore.SnapshotSelector;
import io.stasis.agent.internal.state.StateRegistry;
import io.stasis.agent.internal.store.FileSnapshotStore;
import io.stasis.agent.internal.store.StoreKey;
import io.stasis.agent.internal.store.StoreLockedException;
import io.stasis.agent.internal.store.WrongKeyException;
import io.stasis.bootstrap.FacadeBridge;
import io.stasis.files.UnsafePathException;
import io.stasis.bootstrap.Registrations;
import io.stasis.forensics.Forensics;
import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The running agent: wires registry, restore, instrumentation, checkpoints and their triggers
 * ({@code interval}, {@code on-exit}, and the facade's {@code Stasis.checkpoint}).
 */
public final class AgentRuntime implements FacadeBridge.Handler, ImageHooks {

    private static final Duration WARM_UP_DELAY = Duration.ofSeconds(2);

    private final AgentOptions options;
    private final Checkpointer checkpointer;
    private final String notWriting;
    private final Restorer restorer;
    private final String restoreMessage;
    /** Periodic checkpoints, or {@code null} when {@code interval=off} or this JVM does not write. */
    private final CheckpointSchedule schedule;
    /** Set in a process restored from a full-process image. */
    private volatile Map<String, Object> imageRestore;

    private AgentRuntime(AgentOptions options, Checkpointer checkpointer, String notWriting, Restorer restorer,
                         String restoreMessage) {
        this.options = options;
        this.checkpointer = checkpointer;
        this.notWriting = notWriting;
        this.restorer = restorer;
        this.restoreMessage = restoreMessage;
        this.schedule = checkpointer == null || options.cadence() == null ? null
                : new CheckpointSchedule(options.cadence().cadence(), this::periodicCheckpoint,
                        options.cadence().budgetText());
    }

    public static void start(Instrumentation instrumentation, AgentOptions options, boolean attached) throws IOException {
        StoreKey key = readKey(options.encryptionKey());
        FileSnapshotStore writer = null;
        String notWriting = null;
        FileSnapshotStore store;
        try {
            try {
                writer = FileSnapshotStore.openForWriting(options.dir(), key, options.acceptPlain());
            } catch (StoreLockedException e) {
                notWriting = e.getMessage();
                Log.error("this JVM will not take checkpoints: " + notWriting, null);
            }
            store = writer != null ? writer : FileSnapshotStore.openForReading(options.dir(), key, options.acceptPlain());
        } catch (UnsafePathException e) {
            throw new OptionsException("option 'dir': " + e.getMessage());
        }
        try {
            store.checkKey();
        } catch (WrongKeyException e) {
            store.close();
            throw new OptionsException("option 'encryption-key': " + e.getMessage()
                    + "; nothing was restored or written");
        }

        Restorer restorer = SnapshotSelector.select(store, options.restore(), options.allowed()).orElse(null);
        String restoreMessage;
        if (restorer != null) {
            restoreMessage = "restoring from snapshot " + restorer.ref().id() + " (taken " + restorer.snapshot().time()
                    + ", " + restorer.snapshot().reason() + "): " + restorer.snapshot().roots().size()
                    + " roots, each applied when its owner appears";
        } else {
            restoreMessage = options.restore().equals(AgentOptions.RESTORE_NONE)
                    ? "not restoring: restore=none" : "nothing to restore: no snapshot in " + options.dir().toAbsolutePath();
        }

        KryoBootstrap.initialize();
        StateRegistry registry = new StateRegistry(options.fields());
        registry.setListener(restorer);
        Registrations.install(registry);
        GateWaits.install();
        Instrumenter.install(instrumentation, options, attached);
        if (attached) {
            registerLoadedClasses(instrumentation, registry);
        }

        Checkpointer checkpointer = writer == null ? null
                : new Checkpointer(registry, writer, restorer, options.quiesceTimeout(), options.keep(),
                        options.allowed());
        AgentRuntime runtime = new AgentRuntime(options, checkpointer, notWriting, restorer, restoreMessage);
        FacadeBridge.install(runtime);
        ImageSupport.install(runtime, options.imageDirOrDefault());
        runtime.startTriggers();
        ForensicsSupport.start(options, registry, checkpointer);

        Log.info("agent active: dir=" + options.dir().toAbsolutePath() + ", interval="
                + (options.cadence() == null ? "off" : options.cadence().auto()
                        ? "auto (pause-budget=" + options.cadence().budgetText() + ", " + options.cadence().min().toMillis()
                          + "ms to " + options.cadence().max().toMillis() + "ms)"
                        : options.interval().toMillis() + "ms")
                + ", on-exit=" + options.onExit() + ", keep=" + options.keep());
        Log.info(restoreMessage);
    }

    private static StoreKey readKey(Path file) {
        if (file == null) {
            return null;
        }
        try {
            return StoreKey.read(file);
        } catch (IOException | IllegalArgumentException e) {
            throw new OptionsException("option 'encryption-key': cannot read a key from " + file.toAbsolutePath() + ": "
                    + Log.describe(e));
        }
    }

    /** Classes initialized before an attach: their static initializers ran without us. */
    private static void registerLoadedClasses(Instrumentation instrumentation, StateRegistry registry) {
        for (Class<?> type : instrumentation.getAllLoadedClasses()) {
            if (instrumentation.isModifiableClass(type) && type.getClassLoader() != null) {
                try {
                    if (registry.typeOf(type).hasStaticState()) {
                        registry.initialized(type);
                    }
                } catch (Throwable t) {
                    // a class whose members cannot be resolved owns nothing we can capture
                }
            }
        }
    }

    private void startTriggers() {
        if (checkpointer == null) {
            return;
        }
        startPeriodic();
        if (options.onExit()) {
            Runtime.getRuntime().addShutdownHook(new Thread(this::onExit, "stasis-exit-checkpoint"));
        }
        prepareLater();
    }

    /**
     * Prepares the first checkpoint ({@link Checkpointer#prepare}) a little after start-up, before
     * the first interval is due: off the start-up path, and never in a JVM that ends sooner.
     */
    private void prepareLater() {
        Duration delay = options.interval() == null || options.interval().compareTo(WARM_UP_DELAY.multipliedBy(2)) > 0
                ? WARM_UP_DELAY : options.interval().dividedBy(2);
        Thread warmUp = new Thread(() -> {
            try {
                Thread.sleep(delay.toMillis());
                checkpointer.prepare();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "stasis-checkpoint-warm-up");
        warmUp.setDaemon(true);
        warmUp.setPriority(Thread.MIN_PRIORITY);
        warmUp.start();
    }

    private void startPeriodic() {
        if (schedule != null) {
            schedule.start();
        }
    }

    /** Stops periodic checkpoints and waits for one in progress. */
    private void stopPeriodic() {
        if (schedule != null) {
            schedule.stop(options.quiesceTimeout().multipliedBy(2));
        }
    }

    /** The current periodic interval in milliseconds (adaptive or fixed, without backing off); 0 when off. */
    public long intervalMillis() {
        return schedule == null ? 0 : schedule.intervalMillis();
    }

    @Override
    public void beforeImage() throws CheckpointException {
        stopPeriodic();
        Forensics forensics = ForensicsSupport.running();
        if (forensics != null) {
            forensics.beforeImage();
        }
        if (checkpointer != null) {
            // The image's heap state also as a snapshot: what a start without the image restores.
            log(checkpointer.suspend());
        }
    }

    @Override
    public void afterImage(boolean restored, String image, Instant taken) throws CheckpointException {
        if (restored) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("source", "IMAGE");
            d.put("id", image);
            d.put("sequence", -1L);
            d.put("timeMillis", taken.toEpochMilli());
            d.put("restored", List.of());
            d.put("pending", List.of());
            d.put("skipped", Map.of());
            d.put("message", "restored from the full-process image in " + image + " (taken " + taken + ")");
            imageRestore = d;
        }
        try {
            if (checkpointer != null) {
                checkpointer.resume();
            }
        } finally {
            // Timers are made anew: a restored process may find the clocks far from where they were.
            startPeriodic();
            Forensics forensics = ForensicsSupport.running();
            if (forensics != null) {
                forensics.afterImage();
            }
        }
    }

    private void onExit() {
        stopPeriodic();
        checkpointAndLog("exit");
    }

    private void checkpointAndLog(String reason) {
        try {
            periodic(reason);
        } catch (CheckpointException | RuntimeException | Error e) {
            // logged
        }
    }

    private CheckpointSchedule.Observation periodicCheckpoint() throws CheckpointException {
        Checkpointer.Committed committed = periodic("interval");
        return new CheckpointSchedule.Observation(committed.pauseNanos(), committed.writeNanos());
    }

    /** A checkpoint that nobody waits for: it is logged, whether it is committed or fails. */
    private Checkpointer.Committed periodic(String reason) throws CheckpointException {
        try {
            return log(checkpointer.checkpoint(reason));
        } catch (CheckpointException e) {
            Log.error(e.getMessage(), null);
            throw e;
        } catch (RuntimeException | Error e) {
            Log.error("checkpoint '" + reason + "' failed", e);
            throw e;
        }
    }

    private static Checkpointer.Committed log(Checkpointer.Committed committed) {
        Log.info("checkpoint " + committed.ref().id() + " committed (" + committed.reason() + "): "
                + committed.ref().bytes() + " bytes, pause " + String.format("%.3f", committed.pauseNanos() / 1e6) + " ms");
        return committed;
    }

    @Override
    public Map<String, Object> checkpoint(String reason) {
        if (checkpointer == null) {
            throw new IllegalStateException("this JVM does not take checkpoints: " + notWriting);
        }
        Checkpointer.Committed committed;
        try {
            committed = checkpointer.checkpoint(reason);
        } catch (CheckpointException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        log(committed);
        if (schedule != null) {
            schedule.observed(committed.pauseNanos(), committed.writeNanos());
        }
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("id", committed.ref().id());
        d.put("sequence", committed.ref().sequence());
        d.put("bytes", committed.ref().bytes());
        d.put("pauseNanos", committed.pauseNanos());
        d.put("reason", committed.reason());
        d.put("timeMillis", committed.time().toEpochMilli());
        return d;
    }

    @Override
    public String incident(String reason) {
        Forensics forensics = ForensicsSupport.running();
        if (forensics == null) {
            throw new IllegalStateException("forensics is off in this JVM (agent option forensics=on, with recipients)");
        }
        try {
            return forensics.incident(reason).get(2, TimeUnit.MINUTES).toString();
        } catch (ExecutionException e) {
            throw new IllegalStateException("the incident bundle could not be written: " + Log.describe(e.getCause()),
                    e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("the incident bundle was not written within 2 minutes");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the incident bundle was written");
        }
    }

    @Override
    public Map<String, Object> lastRestore() {
        if (imageRestore != null) {
            return imageRestore;
        }
        if (restorer != null) {
            return restorer.describe();
        }
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("source", "NONE");
        d.put("id", null);
        d.put("sequence", -1L);
        d.put("timeMillis", null);
        d.put("restored", List.of());
        d.put("pending", List.of());
        d.put("skipped", Map.of());
        d.put("message", restoreMessage);
        return d;
    }
}
