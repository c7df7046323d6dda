package io.stasis.agent.internal;

import io.stasis.agent.internal.cadence.CheckpointSchedule;
import io.stasis.agent.internal.capture.CheckpointException;
import io.stasis.agent.internal.capture.Checkpointer;
import io.stasis.agent.internal.config.AgentOptions;
import io.stasis.agent.internal.events.GateWaits;
import io.stasis.agent.internal.forensics.ForensicsSupport;
import io.stasis.agent.internal.group.Coordination;
import io.stasis.agent.internal.group.GroupMember;
import io.stasis.agent.internal.group.GroupRestore;
import io.stasis.agent.internal.group.GroupSupport;
import io.stasis.agent.internal.image.ImageHooks;
import io.stasis.agent.internal.image.ImageSupport;
import io.stasis.agent.internal.image.OrgCracRoute;
import io.stasis.agent.internal.instrument.Instrumenter;
import io.stasis.agent.internal.instrument.PatternUsage;
import io.stasis.agent.internal.metrics.CheckpointStats;
import io.stasis.agent.internal.metrics.Management;
import io.stasis.agent.internal.metrics.RestoreStats;
import io.stasis.agent.internal.metrics.StalenessWatch;
import io.stasis.agent.internal.restore.KryoPool;
import io.stasis.agent.internal.restore.Restorer;
import io.stasis.agent.internal.restore.SnapshotSelector;
import io.stasis.agent.internal.state.StateRegistry;
import io.stasis.agent.internal.store.FileSnapshotStore;
import io.stasis.agent.internal.store.Root;
import io.stasis.bootstrap.FacadeBridge;
import io.stasis.bootstrap.Registrations;
import io.stasis.forensics.Forensics;
import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The running agent: wires registry, restore, instrumentation, checkpoints and their triggers
 * ({@code interval}, {@code on-exit}, and the facade's {@code Stasis.checkpoint}).
 */
public final class AgentRuntime implements FacadeBridge.Handler, ImageHooks {

    private static final Duration WARM_UP_DELAY = Duration.ofSeconds(2);

    private final AgentOptions options;
    private final StateRegistry registry;
    private final Checkpointer checkpointer;
    private final String notWriting;
    private final Restorer restorer;
    private final String restoreMessage;
    private final PatternUsage patterns;
    /** The group this JVM takes part in, or {@code null}. */
    private final Coordination coordination;
    /** The group's committed epochs this member can restore. */
    private final List<Long> restorableEpochs;
    private final AtomicBoolean firstCommitted = new AtomicBoolean();
    private final PeriodicReport report = new PeriodicReport();
    private final CheckpointStats stats;
    private final RestoreStats restoreStats;
    /** Periodic checkpoints, or {@code null} when {@code interval=off} or this JVM does not write. */
    private final CheckpointSchedule schedule;
    /** Set in a process restored from a full-process image. */
    private volatile Map<String, Object> imageRestore;
    private boolean startLogged; // guarded by this

    private AgentRuntime(AgentOptions options, StateRegistry registry, Checkpointer checkpointer, String notWriting,
                         Restorer restorer, String restoreMessage, PatternUsage patterns, CheckpointStats stats,
                         RestoreStats restoreStats, Coordination coordination, List<Long> restorableEpochs) {
        this.stats = stats;
        this.restoreStats = restoreStats;
        this.options = options;
        this.registry = registry;
        this.checkpointer = checkpointer;
        this.notWriting = notWriting;
        this.restorer = restorer;
        this.restoreMessage = restoreMessage;
        this.coordination = coordination;
        this.restorableEpochs = restorableEpochs;
        this.patterns = patterns;
        this.schedule = checkpointer == null || options.cadence() == null || options.group() != null ? null
                : new CheckpointSchedule(options.cadence().cadence(), this::periodicCheckpoint,
                        options.cadence().budgetText(), (interval, due) -> {
                            stats.setIntervalMillis(interval);
                            stats.setNextDueEpochMillis(due);
                        });
    }

    /**
     * Starts the agent with everything done before this returns: when attached to a running JVM, and
     * at start-up when its second half cannot run beside {@code main} ({@link BesideMain#suits}).
     * The bridge is defined already.
     */
    public static void start(Instrumentation instrumentation, AgentOptions options, boolean attached)
            throws IOException {
        OrgCracRoute.route();
        StateRegistry registry = new StateRegistry(options.fields());
        Registrations.install(registry);
        GateWaits.install();
        PatternUsage patterns = Instrumenter.install(instrumentation, options, attached, null);
        AgentRuntime runtime = finishStart(options, registry, patterns, new KryoPool(), true);
        registry.setListener(runtime.restorer);
        if (attached) {
            registerLoadedClasses(instrumentation, registry);
        }
        FacadeBridge.install(runtime);
        runtime.startTriggers(true);
        runtime.logStarted();
    }

    /**
     * What calls the bridge, once it is defined beside {@code main}: the registry that instrumented
     * classes report to, the facade, the image hooks (the agent's Resource before the application's)
     * and the gate's listener, all handing over to {@code deferred} until start-up is done.
     */
    static StateRegistry connectBridge(AgentOptions options, DeferredStart deferred) {
        StateRegistry registry = new StateRegistry(options.fields());
        registry.setListener(deferred);
        FacadeBridge.install(new DeferredFacade(deferred));
        ImageSupport.install(deferred, options.imageDirOrDefault());
        Registrations.install(registry);
        GateWaits.install();
        return registry;
    }

    /** The facade's calls while start-up's second half runs: each waits for it ({@link DeferredStart}). */
    private static final class DeferredFacade implements FacadeBridge.Handler {
        private final DeferredStart deferred;

        DeferredFacade(DeferredStart deferred) {
            this.deferred = deferred;
        }

        @Override
        public Map<String, Object> checkpoint(String reason) {
            return deferred.runtime().checkpoint(reason);
        }

        @Override
        public Map<String, Object> lastRestore() {
            return deferred.runtime().lastRestore();
        }

        @Override
        public String incident(String reason) {
            return deferred.runtime().incident(reason);
        }
    }

    /**
     * Start-up's second half beside {@code main}, once the bridge is connected: the store, the
     * snapshot to restore, and then the hand-over from {@code deferred} to the runtime.
     */
    static void finishBesideMain(AgentOptions options, StateRegistry registry, PatternUsage patterns,
                                 DeferredStart deferred, KryoPool restoreKryos) throws IOException {
        AgentRuntime runtime = finishStart(options, registry, patterns, restoreKryos, false);
        if (!deferred.complete(new DeferredStart.Started(runtime, runtime.restorer))) {
            runtime.giveUp();
            return;
        }
        registry.setListener(runtime.restorer);
        FacadeBridge.install(runtime);
        runtime.startTriggers(false);
        runtime.logStarted();
    }

    /**
     * Opens the store, chooses what to restore, and sets up checkpoints, images and forensics.
     *
     * @param prepareEarly whether to start making the restore's Kryo before the store is read
     *                     (start-up before {@code main}); beside {@code main}, the first owner to
     *                     appear starts it ({@link BesideMain}), or the restorer does once
     *                     the snapshot turns out to hold roots
     */
    private static AgentRuntime finishStart(AgentOptions options, StateRegistry registry, PatternUsage patterns,
            KryoPool restoreKryos, boolean prepareEarly) throws IOException {
        KryoBootstrap.initialize(); // before any Kryo, the restore's prepared one included
        if (prepareEarly && options.group() == null && BesideMain.mayRestore(options)) {
            // On another core while the store is opened and its newest snapshot read: the two took
            // about as long, one after the other. Spent for nothing if that snapshot holds no roots.
            restoreKryos.prepare(ClassLoader.getSystemClassLoader());
        }
        OpenedStore opened = OpenedStore.open(options);
        FileSnapshotStore store = opened.store();
        FileSnapshotStore writer = opened.writer();
        String notWriting = opened.notWriting();

        RestoreStats restoreStats = new RestoreStats();
        long selectStart = System.nanoTime();
        Restorer restorer;
        String restoreMessage = null;
        Coordination coordination = null;
        GroupRestore groupRestore = null;
        if (options.group() != null) {
            try {
                coordination = GroupSupport.connect(options.group(), options.quiesceTimeout());
                groupRestore = GroupRestore.choose(opened.restoreFrom(), coordination, options, restoreStats);
                restorer = groupRestore.restorer();
                restoreMessage = groupRestore.message();
            } catch (IOException e) {
                if (coordination != null) {
                    coordination.close();
                    coordination = null;
                }
                restorer = null;
                restoreMessage = "group '" + options.group().name() + "': not restoring, and taking no part in epochs"
                        + " until this JVM restarts: " + e.getMessage();
                Log.error(restoreMessage, null);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while the group agreed on what to restore", e);
            }
        } else {
            restorer = SnapshotSelector.select(opened.restoreFrom(), options.restore(), options.allowed(), restoreStats,
                    restoreKryos).orElse(null);
        }
        if (restorer != null) {
            restoreStats.fromSnapshot(restorer.snapshot().sequence(), restorer.snapshot().time().toEpochMilli(),
                    restorer.snapshot().roots().size(), System.nanoTime() - selectStart);
        }
        if (restoreMessage == null) { // not a group's choice, which says what it chose
            restoreMessage = restorer != null ? restoring(restorer)
                    : options.restore().equals(AgentOptions.RESTORE_NONE) ? "not restoring: restore=none"
                    : "nothing to restore: no snapshot in " + options.storeLocation();
        }

        CheckpointStats stats = new CheckpointStats(options.interval() == null ? 0 : options.interval().toMillis(),
                options.maxAge() == null ? 0 : options.maxAge().toMillis());
        Checkpointer checkpointer = writer == null ? null
                : new Checkpointer(registry, opened.checkpointTo(), restorer, options.quiesceTimeout(), options.keep(),
                        options.allowed(), stats);
        AgentRuntime runtime = new AgentRuntime(options, registry, checkpointer, notWriting, restorer, restoreMessage,
                patterns, stats, restoreStats, coordination, groupRestore == null ? List.of() : groupRestore.restorable());
        Management.registerWhenRead(stats, store.stats(), store::totalBytes, opened.mirror(), restoreStats,
                runtime::describeCheckpoint);
        return runtime;
    }

    /** What a start-up that the application stopped waiting for leaves behind: the store's lock, the group. */
    private void giveUp() {
        if (checkpointer != null) {
            checkpointer.releaseWriter();
        }
        if (coordination != null) {
            coordination.close();
        }
    }

    /**
     * Says once that the agent is active and what it restores. Beside {@code main}, start-up's
     * thread says it after handing over to the application, and the exit may come first: whichever
     * thread gets here first says it, the other waits for it, so the exit's lines come after.
     */
    private synchronized void logStarted() {
        if (startLogged) {
            return;
        }
        startLogged = true;
        Log.info("agent active" + (checkpointer == null ? " (restore only, no checkpoints)" : "") + ": dir="
                + options.storeLocation() + (options.mirror() == null ? "" : ", mirror=" + options.mirror().url())
                + ", interval="
                + (options.cadence() == null ? "off" : options.cadence().auto()
                        ? "auto (pause-budget=" + options.cadence().budgetText() + ", " + options.cadence().min().toMillis()
                          + "ms to " + options.cadence().max().toMillis() + "ms)"
                        : options.interval().toMillis() + "ms")
                + (options.group() == null ? ", on-exit=" + options.onExit()
                        : ", group=" + options.group().name() + " (member " + options.group().member() + " of "
                          + options.group().size() + ", ZooKeeper at " + options.group().zookeeper()
                          + "; epochs only, no checkpoint on exit)")
                + ", keep=" + options.keep());
        Log.info(restoreMessage);
    }

    /**
     * A member takes part in its group's epochs instead of checkpointing on its own: no periodic or
     * exit checkpoints. Its session ends with the JVM, so that its place frees at once.
     */
    private static void joinEpochs(Coordination coordination, Checkpointer checkpointer, AgentOptions options,
                                   List<Long> restorable) {
        if (checkpointer == null) {
            Log.warn("group '" + options.group().name() + "': this member does not write to its store, so no epoch"
                    + " can be committed while it runs");
        } else {
            coordination.start(new GroupMember(coordination, checkpointer, options.group(), options.quiesceTimeout(),
                    options.keep(), restorable), options.interval());
        }
        Runtime.getRuntime().addShutdownHook(new Thread(coordination::close, "stasis-group-leave"));
    }

    private static String restoring(Restorer restorer) {
        List<Root> roots = restorer.snapshot().roots();
        return "restoring from snapshot " + restorer.ref().id() + " (taken "
                + restorer.snapshot().time().truncatedTo(ChronoUnit.MILLIS) + ", " + restorer.snapshot().reason()
                + "): " + count(roots.size(), "root") + " holding "
                + count(roots.stream().mapToInt(r -> r.fields().size()).sum(), "field")
                + ", each applied when its owner appears";
    }

    /** {@code 1 root}, {@code 2 roots}. */
    private static String count(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
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

    /** Starts what acts on its own: staleness, images, periodic and exit checkpoints, epochs, forensics. */
    private void startTriggers(boolean exitHook) {
        StalenessWatch.start(stats, options.maxAge());
        ImageSupport.install(this, options.imageDirOrDefault());
        if (checkpointer != null) {
            startPeriodic();
            if (exitHook && options.onExit() && options.group() == null) {
                Runtime.getRuntime().addShutdownHook(new Thread(this::onExit, "stasis-exit-checkpoint"));
            }
        }
        prepareLater();
        if (coordination != null) {
            joinEpochs(coordination, checkpointer, options, restorableEpochs);
        }
        ForensicsSupport.start(options, registry, checkpointer);
    }

    /**
     * A little after start-up, before the first interval is due: names the {@code fields} and
     * {@code quiesce} patterns that have matched nothing, and prepares the first checkpoint
     * ({@link Checkpointer#prepare}). Off the start-up path, and never in a JVM that ends sooner.
     */
    private void prepareLater() {
        Duration delay = options.interval() == null || options.interval().compareTo(WARM_UP_DELAY.multipliedBy(2)) > 0
                ? WARM_UP_DELAY : options.interval().dividedBy(2);
        Thread warmUp = new Thread(() -> {
            try {
                Thread.sleep(delay.toMillis());
                if (checkpointer != null) {
                    checkpointer.prepare();
                }
                patterns.warnUnmatchedAfterMainClass();
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
            restoreStats.fromImage(taken.toEpochMilli());
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

    void onExit() {
        logStarted();
        if (checkpointer == null || nothingToKeep(options, registry)) {
            return;
        }
        stopPeriodic();
        checkpointAndLog("exit");
        checkpointer.releaseWriter();
    }

    /**
     * Whether the checkpoint on exit would keep nothing: no class owning state appeared in this JVM,
     * and it restores the newest snapshot, so what that snapshot holds (carried forward unchanged by
     * a snapshot taken now) is what the next start restores anyway. Said in the log, since it also
     * tells a new user that the agent found nothing to checkpoint. Taken all the same after
     * {@code restore=none} or a chosen snapshot, where an exit snapshot decides what comes next.
     */
    private static boolean nothingToKeep(AgentOptions options, StateRegistry registry) {
        if (!options.restore().equals(AgentOptions.RESTORE_LATEST) || registry.anyOwnerListed()) {
            return false;
        }
        Log.info("no checkpoint on exit: no class with @Checkpointed fields"
                + (options.fields().isEmpty() ? "" : " or fields named by 'fields'") + " was loaded in this JVM,"
                + " so the store is left as it was");
        return true;
    }

    /**
     * A periodic checkpoint: writes nothing when nothing changed, and says so at most once a
     * minute; warns once if checkpoints fall behind a fixed interval. Its pause and write time, or
     * its failure, inform the schedule.
     */
    private CheckpointSchedule.Observation periodicCheckpoint() throws CheckpointException {
        long start = System.nanoTime();
        Checkpointer.Committed committed;
        try {
            committed = checkpointer.checkpointIfChanged("interval");
        } catch (CheckpointException e) {
            report.failed(e.getMessage());
            throw e;
        } catch (RuntimeException | Error e) {
            Log.error("checkpoint 'interval' failed", e);
            throw e;
        }
        if (committed.unchanged()) {
            report.unchanged(committed);
        } else {
            log(committed);
            report.succeeded(committed, System.nanoTime() - start, options.cadence().auto() ? null : options.interval());
        }
        return new CheckpointSchedule.Observation(committed.pauseNanos(), committed.writeNanos());
    }

    /** A checkpoint that nobody waits for (the one on exit): logged, whether it is committed or fails. */
    private void checkpointAndLog(String reason) {
        try {
            log(checkpointer.checkpoint(reason));
        } catch (CheckpointException e) {
            Log.error(e.getMessage(), null);
        } catch (RuntimeException | Error e) {
            Log.error("checkpoint '" + reason + "' failed", e);
        }
    }

    /** Logs a committed checkpoint; after the first, names the {@code fields} patterns that matched nothing. */
    private Checkpointer.Committed log(Checkpointer.Committed committed) {
        Log.info("checkpoint " + committed.ref().id() + " committed (" + committed.reason() + "): "
                + committed.ref().bytes() + " bytes, pause " + Log.millis(committed.pauseNanos(), 3) + " ms");
        if (firstCommitted.compareAndSet(false, true)) {
            patterns.warnUnmatchedAtCheckpoint(committed.ref().id());
        }
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

    /** {@code checkpoint(String)} of {@code io.stasis:type=Checkpoints}: one line that describes the snapshot. */
    private String describeCheckpoint(String reason) {
        Map<String, Object> d = checkpoint(reason);
        return "snapshot " + d.get("id") + " committed (" + d.get("reason") + "): " + d.get("bytes") + " bytes, pause "
                + Log.millis((Long) d.get("pauseNanos"), 3) + " ms";
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
