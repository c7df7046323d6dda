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
import io.stasis.agent.internal.instrument.PatternUsage;
import io.stasis.agent.internal.metrics.CheckpointStats;
import io.stasis.agent.internal.metrics.Management;
import io.stasis.agent.internal.metrics.RestoreStats;
import io.stasis.agent.internal.metrics.StalenessWatch;
import io.stasis.agent.internal.restore.Restorer;
import io.stasis.agent.internal.restore.SnapshotSelector;
import io.stasis.agent.internal.state.StateRegistry;
import io.stasis.agent.internal.store.FileSnapshotStore;
import io.stasis.agent.internal.store.Root;
import io.stasis.agent.internal.store.StoreKey;
import io.stasis.agent.internal.store.StoreLockedException;
import io.stasis.agent.internal.store.WrongKeyException;
import io.stasis.bootstrap.FacadeBridge;
import io.stasis.files.UnsafePathException;
import io.stasis.bootstrap.Registrations;
import io.stasis.forensics.Forensics;
import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
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
    /** The least time between two lines that say the same: nothing changed, or the same failure again. */
    private static final long UNCHANGED_QUIET = TimeUnit.MINUTES.toNanos(1);

    private final AgentOptions options;
    private final Checkpointer checkpointer;
    private final String notWriting;
    private final Restorer restorer;
    private final String restoreMessage;
    private final PatternUsage patterns;
    private final AtomicBoolean firstCommitted = new AtomicBoolean();
    private final AtomicBoolean unchangedSaid = new AtomicBoolean();
    private volatile long unchangedSaidAt;
    private final AtomicBoolean behindSaid = new AtomicBoolean();
    /** Only the scheduler's one thread reads and writes these. */
    private boolean wasBehind;
    private String repeatedFailure;
    private long repeatedSince;
    private int repeats;
    private final CheckpointStats stats;
    private final RestoreStats restoreStats;
    /** Periodic checkpoints, or {@code null} when {@code interval=off} or this JVM does not write. */
    private final CheckpointSchedule schedule;
    /** Set in a process restored from a full-process image. */
    private volatile Map<String, Object> imageRestore;

    private AgentRuntime(AgentOptions options, Checkpointer checkpointer, String notWriting, Restorer restorer,
                         String restoreMessage, PatternUsage patterns, CheckpointStats stats,
                         RestoreStats restoreStats) {
        this.stats = stats;
        this.restoreStats = restoreStats;
        this.options = options;
        this.checkpointer = checkpointer;
        this.notWriting = notWriting;
        this.restorer = restorer;
        this.restoreMessage = restoreMessage;
        this.patterns = patterns;
        this.schedule = checkpointer == null || options.cadence() == null ? null
                : new CheckpointSchedule(options.cadence().cadence(), this::periodicCheckpoint,
                        options.cadence().budgetText(), (interval, due) -> {
                            stats.setIntervalMillis(interval);
                            stats.setNextDueEpochMillis(due);
                        });
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
            } catch (UnsafePathException e) {
                throw e;
            } catch (IOException e) {
                notWriting = readOnly(options.dir(), e);
                Log.warn("option 'dir': " + notWriting);
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

        RestoreStats restoreStats = new RestoreStats();
        long selectStart = System.nanoTime();
        Restorer restorer = SnapshotSelector.select(store, options.restore(), options.allowed(), restoreStats)
                .orElse(null);
        String restoreMessage;
        if (restorer != null) {
            restoreStats.fromSnapshot(restorer.snapshot().sequence(), restorer.snapshot().time().toEpochMilli(),
                    restorer.snapshot().roots().size(), System.nanoTime() - selectStart);
            List<Root> roots = restorer.snapshot().roots();
            restoreMessage = "restoring from snapshot " + restorer.ref().id() + " (taken "
                    + restorer.snapshot().time().truncatedTo(ChronoUnit.MILLIS) + ", " + restorer.snapshot().reason()
                    + "): " + count(roots.size(), "root") + " holding "
                    + count(roots.stream().mapToInt(r -> r.fields().size()).sum(), "field")
                    + ", each applied when its owner appears";
        } else {
            restoreMessage = options.restore().equals(AgentOptions.RESTORE_NONE)
                    ? "not restoring: restore=none" : "nothing to restore: no snapshot in " + options.dir().toAbsolutePath().normalize();
        }

        KryoBootstrap.initialize();
        StateRegistry registry = new StateRegistry(options.fields());
        registry.setListener(restorer);
        Registrations.install(registry);
        GateWaits.install();
        PatternUsage patterns = Instrumenter.install(instrumentation, options, attached);
        if (attached) {
            registerLoadedClasses(instrumentation, registry);
        }

        CheckpointStats stats = new CheckpointStats(options.interval() == null ? 0 : options.interval().toMillis(),
                options.maxAge() == null ? 0 : options.maxAge().toMillis());
        Checkpointer checkpointer = writer == null ? null
                : new Checkpointer(registry, writer, restorer, options.quiesceTimeout(), options.keep(),
                        options.allowed(), stats);
        AgentRuntime runtime = new AgentRuntime(options, checkpointer, notWriting, restorer, restoreMessage, patterns,
                stats, restoreStats);
        FacadeBridge.install(runtime);
        Management.registerWhenRead(stats, store.stats(), store::totalBytes, restoreStats, runtime::describeCheckpoint);
        StalenessWatch.start(stats, options.maxAge());
        ImageSupport.install(runtime, options.imageDirOrDefault());
        runtime.startTriggers();
        ForensicsSupport.start(options, registry, checkpointer);

        Log.info("agent active" + (checkpointer == null ? " (restore only, no checkpoints)" : "") + ": dir="
                + options.dir().toAbsolutePath().normalize() + ", interval="
                + (options.cadence() == null ? "off" : options.cadence().auto()
                        ? "auto (pause-budget=" + options.cadence().budgetText() + ", " + options.cadence().min().toMillis()
                          + "ms to " + options.cadence().max().toMillis() + "ms)"
                        : options.interval().toMillis() + "ms")
                + ", on-exit=" + options.onExit() + ", keep=" + options.keep());
        Log.info(restoreMessage);
    }

    /**
     * A store this process cannot write (a read-only filesystem, a directory of another user's
     * making) still restores: checkpoints are off. A store that cannot even be made is an error.
     */
    private static String readOnly(Path dir, IOException cause) {
        Path absolute = dir.toAbsolutePath().normalize();
        for (Path above = absolute; above != null; above = above.getParent()) {
            if (Files.exists(above) && !Files.isDirectory(above)) {
                throw new OptionsException("option 'dir': " + above + " is a file, not a directory, so no store can be "
                        + "made in " + absolute + "; give a directory, or a path that does not exist yet");
            }
        }
        if (!Files.isDirectory(absolute.resolve("manifests"))) {
            throw new OptionsException("option 'dir': cannot make a store in " + absolute + ": " + inWords(cause)
                    + "; give a directory this user can write, or a path that does not exist yet");
        }
        return absolute + " cannot be written (" + inWords(cause) + "): restoring from it, but taking no "
                + "checkpoints; give a writable dir to take them";
    }

    /** {@code /a/b: Not a directory} says less than which part is wrong and why. */
    private static String inWords(IOException e) {
        if (e instanceof NotDirectoryException) {
            return e.getMessage() + " or a directory above it is a file, not a directory";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied on " + e.getMessage();
        }
        if (e instanceof FileSystemException fs && fs.getReason() != null) {
            return fs.getReason().toLowerCase(Locale.ROOT) + (fs.getFile() == null ? "" : " (" + fs.getFile() + ")");
        }
        return Log.describe(e);
    }

    /** {@code 1 root}, {@code 2 roots}. */
    private static String count(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    private static StoreKey readKey(Path file) {
        if (file == null) {
            return null;
        }
        if (!Files.exists(file)) {
            throw new OptionsException("option 'encryption-key': the key file " + file.toAbsolutePath().normalize()
                    + " does not exist: make one with 'openssl rand -hex 32 > " + file + " && chmod 600 " + file
                    + "', or give the path of the key the store was written with");
        }
        try {
            return StoreKey.read(file);
        } catch (IOException | IllegalArgumentException e) {
            throw new OptionsException("option 'encryption-key': cannot read a key from " + file.toAbsolutePath().normalize() + ": "
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
        if (checkpointer != null) {
            startPeriodic();
            if (options.onExit()) {
                Runtime.getRuntime().addShutdownHook(new Thread(this::onExit, "stasis-exit-checkpoint"));
            }
        }
        prepareLater();
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

    private void onExit() {
        stopPeriodic();
        checkpointAndLog("exit");
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
            logPeriodicFailure(e.getMessage());
            throw e;
        } catch (RuntimeException | Error e) {
            Log.error("checkpoint 'interval' failed", e);
            throw e;
        }
        repeatedFailure = null;
        if (!committed.unchanged()) {
            log(committed);
        } else if (unchangedSaid.compareAndSet(false, true) || System.nanoTime() - unchangedSaidAt > UNCHANGED_QUIET) {
            unchangedSaidAt = System.nanoTime();
            Log.info("nothing changed since checkpoint " + committed.ref().id() + ": not written again (said at most "
                    + "once a minute)");
        }
        if (!options.cadence().auto()) {
            warnIfBehind(System.nanoTime() - start, committed);
        }
        return new CheckpointSchedule.Observation(committed.pauseNanos(), committed.writeNanos());
    }

    /**
     * A unit of work that never ends fails every interval the same way: the first failure is
     * logged, the same one again at most once a minute with how often it happened meanwhile.
     */
    private void logPeriodicFailure(String message) {
        long now = System.nanoTime();
        if (message.equals(repeatedFailure)) {
            repeats++;
            if (now - repeatedSince < UNCHANGED_QUIET) {
                return;
            }
            message += " (failed like this " + repeats + " times since it was last logged)";
        } else {
            repeatedFailure = message;
        }
        repeats = 0;
        repeatedSince = now;
        Log.error(message, null);
    }

    /**
     * Checkpoints run one after another: those that take longer than the interval stretch the
     * period. Two in a row, since the first of a JVM also loads and compiles the writing code.
     */
    private void warnIfBehind(long tookNanos, Checkpointer.Committed committed) {
        long interval = options.interval().toNanos();
        boolean behind = tookNanos > interval;
        boolean twice = behind && wasBehind;
        wasBehind = behind;
        if (twice && behindSaid.compareAndSet(false, true)) {
            Log.warn(String.format(Locale.ROOT, "checkpoints fall behind interval=%s: one took %.0f ms (pause %.0f ms), "
                    + "so they are %.0f ms apart; give a longer interval", options.interval().toMillis() + "ms",
                    tookNanos / 1e6, committed.pauseNanos() / 1e6, (tookNanos + interval) / 1e6));
        }
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
                + committed.ref().bytes() + " bytes, pause " + String.format("%.3f", committed.pauseNanos() / 1e6) + " ms");
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
                + String.format("%.3f", ((Long) d.get("pauseNanos")) / 1e6) + " ms";
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
