package io.stasis.forensics.internal;

import io.stasis.files.PrivateFiles;
import com.exceptionfactory.jagged.RecipientStanzaWriter;
import com.fasterxml.jackson.core.JsonGenerator;
import com.sun.management.GarbageCollectionNotificationInfo;
import com.sun.management.HotSpotDiagnosticMXBean;
import io.stasis.forensics.AgeKeys;
import io.stasis.forensics.ForensicsConfig;
import io.stasis.forensics.Reporter;
import io.stasis.forensics.StateSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryNotificationInfo;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.NotificationEmitter;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;

/**
 * The forensics engine: triggers feed incidents through the {@link Budget} into a small queue; one
 * daemon thread turns each into a bundle. Nothing here runs its capture on an application thread.
 */
public final class Engine implements ForensicsControlMBean {

    private static final DateTimeFormatter NAME_TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final int QUEUE = 8;

    /** Something that went wrong, waiting to be captured. */
    record Incident(String trigger, String reason, String fingerprint, Instant time, Throwable exception,
                    Path attachment, CompletableFuture<Path> done) {
    }

    private final ForensicsConfig config;
    private final StateSource state;
    private final Reporter reporter;
    private final List<RecipientStanzaWriter> recipients;
    private final Path dir;
    private final Path staging;
    private final Path jfrRepository;
    private final Budget budget;
    private final BlockingQueue<Incident> queue = new ArrayBlockingQueue<>(QUEUE);
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong deletedByDiskBudget = new AtomicLong();
    private volatile long lastBundleEpochMillis;
    private final AtomicInteger sequence = new AtomicInteger();
    private final AtomicBoolean busy = new AtomicBoolean();
    private final Object idle = new Object();
    private volatile JfrRecorder jfr;
    private volatile String jfrProblem = "not started yet";
    private volatile byte[] reserve;
    private final java.util.Map<Path, Long> heapDumpSizes = new java.util.HashMap<>();
    private volatile Path heapDumpOnOomFile;

    private Engine(ForensicsConfig config, StateSource state, Reporter reporter, List<RecipientStanzaWriter> recipients)
            throws IOException {
        this.config = config;
        this.state = state;
        this.reporter = reporter;
        this.recipients = recipients;
        this.dir = PrivateFiles.directory(config.dir());
        Path work = PrivateFiles.directory(dir.resolve(".private"));
        this.staging = PrivateFiles.directory(work.resolve("staging"));
        this.jfrRepository = work.resolve("jfr");
        this.budget = new Budget(config.window().toNanos(), config.rateCount(), config.ratePeriod().toNanos(),
                config.diskBudget());
    }

    public static Engine start(ForensicsConfig config, StateSource state, Reporter reporter) {
        List<RecipientStanzaWriter> recipients = AgeKeys.recipients(config.recipients());
        Engine engine;
        try {
            engine = new Engine(config, state, reporter, recipients);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot create the private directory " + config.dir().toAbsolutePath()
                    + ": " + e.getMessage(), e);
        }
        if (config.oomReserve() > 0) {
            engine.reserve = new byte[(int) Math.min(config.oomReserve(), Integer.MAX_VALUE - 16)];
        }
        if (config.onUncaught()) {
            UncaughtHandler.install(engine);
        }
        Thread worker = new Thread(engine::run, "stasis-forensics");
        worker.setDaemon(true);
        worker.start();
        Runtime.getRuntime().addShutdownHook(new Thread(engine::awaitIdleAtExit, "stasis-forensics-exit"));
        return engine;
    }

    public Path dir() {
        return dir;
    }

    // ---------------------------------------------------------------- triggers

    /**
     * From the uncaught-exception handler, on the application thread: decide quickly, capture elsewhere.
     * When the incident is admitted and the thread is not a daemon (its end may end the JVM, whose
     * shutdown would stop the JFR recording mid-capture), the thread waits for the bundle, at most
     * {@link #UNCAUGHT_WAIT_SECONDS}; the capture itself still runs on the forensics thread.
     */
    void uncaught(Thread thread, Throwable e) {
        boolean oom = isOutOfMemory(e);
        if (oom) {
            reserve = null; // the memory the capture itself needs
        }
        // An OutOfMemoryError is one incident however many threads hit it (an exit hook, another worker):
        // the first bundle holds the heap dump, and more captures would compete for memory that is gone.
        boolean precise = precise() && !oom;
        String coarse = "uncaught:" + fingerprint(e, false);
        if (!precise && budget.recentlyAdmitted(coarse)) {
            return; // in a storm: this exception type was captured within the window
        }
        String fingerprint = precise ? "uncaught:" + fingerprint(e, true) : coarse;
        if (budget.admit(fingerprint, false)) {
            budget.mark(coarse);
            CompletableFuture<Path> done = new CompletableFuture<>();
            Incident incident = new Incident(oom ? "out-of-memory" : "uncaught-exception",
                    e.getClass().getName() + " in thread \"" + thread.getName() + "\"", fingerprint, Instant.now(), e,
                    oom ? heapDumpOnOomFile : null, done);
            if (!queue.offer(incident)) {
                dropped.incrementAndGet();
            } else if (!thread.isDaemon()) {
                try {
                    done.get(UNCAUGHT_WAIT_SECONDS, TimeUnit.SECONDS);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                } catch (Exception failedOrLate) {
                    // reported by the forensics thread
                }
            }
        }
    }

    static final int UNCAUGHT_WAIT_SECONDS = 20;

    public CompletableFuture<Path> manual(String reason) {
        CompletableFuture<Path> done = new CompletableFuture<>();
        String why = reason == null || reason.isBlank() ? "manual request" : reason;
        if (!budget.admit("manual:" + why, true)) {
            done.completeExceptionally(new IllegalStateException("rate limit reached"));
            return done;
        }
        if (!queue.offer(new Incident("manual", why, "manual:" + why, Instant.now(), null, null, done))) {
            dropped.incrementAndGet();
            done.completeExceptionally(new IllegalStateException("too many incidents queued; try again"));
        }
        return done;
    }

    public void slowUnit(Thread thread, java.time.Duration running) {
        String fingerprint = "slow-unit:" + thread.getName();
        if (budget.admit(fingerprint, false)) {
            offer(new Incident("slow-unit", "thread " + thread.getName() + " has been inside one unit of work for "
                    + running.toMillis() + " ms (bound " + config.slowUnit().toMillis() + " ms)", fingerprint, Instant.now(),
                    null, null, null));
        }
    }

    private void offer(Incident incident) {
        if (!queue.offer(incident)) {
            dropped.incrementAndGet();
        }
    }

    static boolean isOutOfMemory(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof OutOfMemoryError) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether this report may pay for a precise fingerprint. Where an exception was thrown is in its
     * stack trace, which the JVM materializes on first access (tens of microseconds for a deep
     * stack); beyond {@link #PRECISE_PER_SECOND} reports a second (a storm) fingerprints use the
     * exception classes only, so the cost per report stays a few string operations and a map lookup.
     */
    private boolean precise() {
        long second = System.nanoTime() >>> 30;
        if (reportSecond != second) {
            reportSecond = second;
            reportsThisSecond.set(0);
        }
        return reportsThisSecond.incrementAndGet() <= PRECISE_PER_SECOND;
    }

    static final int PRECISE_PER_SECOND = 100;
    private static final StackTraceElement[] NO_FRAMES = {};
    private volatile long reportSecond;
    private final AtomicInteger reportsThisSecond = new AtomicInteger();

    /** The exception's class, where it was thrown, and its causes' classes: stable across occurrences, free of messages. */
    static String fingerprint(Throwable e) {
        return fingerprint(e, true);
    }

    static String fingerprint(Throwable e, boolean withFrames) {
        StringBuilder f = new StringBuilder();
        int depth = 0;
        for (Throwable t = e; t != null && depth < 5; t = t.getCause() == t ? null : t.getCause(), depth++) {
            if (depth > 0) {
                f.append(" <- ");
            }
            f.append(t.getClass().getName());
            StackTraceElement[] stack = withFrames ? t.getStackTrace() : NO_FRAMES;
            if (stack.length > 0) {
                f.append('@').append(stack[0].getClassName()).append('.').append(stack[0].getMethodName())
                        .append(':').append(stack[0].getLineNumber());
            }
        }
        return f.toString();
    }

    /** Deadlocks, heap dumps left by the JVM, a replaced uncaught-exception handler; every {@code deadlockCheck}. */
    private void tick() {
        if (config.onUncaught()) {
            UncaughtHandler.install(this);
        }
        if (config.onDeadlock()) {
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            long[] ids = threads.findDeadlockedThreads();
            if (ids != null) {
                TreeSet<String> names = new TreeSet<>();
                Arrays.stream(threads.getThreadInfo(ids)).filter(i -> i != null).forEach(i -> names.add(i.getThreadName()));
                String fingerprint = "deadlock:" + String.join(",", names);
                if (budget.admit(fingerprint, false)) {
                    offer(new Incident("deadlock", "deadlocked threads: " + String.join(", ", names), fingerprint,
                            Instant.now(), null, null, null));
                }
            }
        }
        pickUpHeapDumps(false);
    }

    private void installListeners() {
        if (config.onMemory()) {
            int pools = 0;
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                String name = pool.getName();
                if (pool.getType() == MemoryType.HEAP && pool.isCollectionUsageThresholdSupported()
                        && !name.contains("Eden") && !name.contains("Survivor") && !name.contains("Young")) {
                    long max = pool.getUsage().getMax() > 0 ? pool.getUsage().getMax() : Runtime.getRuntime().maxMemory();
                    pool.setCollectionUsageThreshold(Math.max(1, max / 100 * config.memoryThreshold()));
                    pools++;
                }
            }
            if (pools > 0) {
                ((NotificationEmitter) ManagementFactory.getMemoryMXBean()).addNotificationListener((n, h) -> {
                    if (MemoryNotificationInfo.MEMORY_COLLECTION_THRESHOLD_EXCEEDED.equals(n.getType())) {
                        MemoryNotificationInfo info = MemoryNotificationInfo.from((CompositeData) n.getUserData());
                        String fingerprint = "memory:" + info.getPoolName();
                        if (budget.admit(fingerprint, false)) {
                            offer(new Incident("memory-pressure", info.getPoolName() + " at " + info.getUsage().getUsed()
                                    + " of " + info.getUsage().getMax() + " bytes after a collection (threshold "
                                    + config.memoryThreshold() + "%)", fingerprint, Instant.now(), null, null, null));
                        }
                    }
                }, null, null);
            } else {
                reporter.warn("forensics: no old-generation pool supports a usage threshold; memory-pressure trigger off");
            }
        }
        if (config.onGcPause()) {
            long bound = config.gcPause().toMillis();
            for (java.lang.management.GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                String name = gc.getName();
                // Concurrent collectors report whole cycles, not pauses.
                if (name.contains("Cycles") || name.contains("Concurrent") || !(gc instanceof NotificationEmitter emitter)) {
                    continue;
                }
                emitter.addNotificationListener((n, h) -> {
                    if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
                        return;
                    }
                    GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
                    long duration = info.getGcInfo().getDuration();
                    String cause = info.getGcCause();
                    // Collections our own capture causes (class histogram, heap dump) are not incidents.
                    if (duration > bound && !cause.startsWith("Heap Inspection") && !cause.startsWith("Heap Dump")) {
                        String fingerprint = "gc-pause";
                        if (budget.admit(fingerprint, false)) {
                            offer(new Incident("gc-pause", info.getGcName() + " (" + info.getGcCause() + ") took " + duration
                                    + " ms, bound " + bound + " ms", fingerprint, Instant.now(), null, null, null));
                        }
                    }
                }, null, null);
            }
        }
    }

    /**
     * The JMX control, registered last: once it is visible (as {@code incident PID} and tests look
     * for it), the capture path is loaded and warmed up, so an OutOfMemoryError that follows cannot
     * catch a capture class half-initialized.
     */
    private void registerControl() {
        try {
            ManagementFactory.getPlatformMBeanServer().registerMBean(
                    new javax.management.StandardMBean(this, ForensicsControlMBean.class), new ObjectName("io.stasis:type=Forensics"));
        } catch (Exception e) {
            reporter.warn("forensics: JMX control not registered (" + BundleWriter.describe(e) + "); incident PID will not reach this JVM");
        }
    }

    // ---------------------------------------------------------------- OOM heap dumps

    private void configureHeapDumpOnOom() {
        HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        try {
            if (config.heapDumpOnOom()) {
                hotspot.setVMOption("HeapDumpPath", staging.toAbsolutePath().toString());
                hotspot.setVMOption("HeapDumpOnOutOfMemoryError", "true");
            }
            if (Boolean.parseBoolean(hotspot.getVMOption("HeapDumpOnOutOfMemoryError").getValue())) {
                String path = hotspot.getVMOption("HeapDumpPath").getValue();
                Path p = path == null || path.isEmpty() ? Path.of("") : Path.of(path);
                String file = "java_pid" + ProcessHandle.current().pid() + ".hprof";
                heapDumpOnOomFile = (path == null || path.isEmpty() || Files.isDirectory(p) ? p.resolve(file) : p).toAbsolutePath();
            }
        } catch (RuntimeException e) {
            reporter.warn("forensics: cannot configure heap dumps on OutOfMemoryError: " + BundleWriter.describe(e));
        }
    }

    /**
     * Heap dumps the JVM wrote by itself: this JVM's (once its size stops changing) and, at start,
     * any left in the private staging directory by an earlier run. Each is encrypted into a bundle and removed.
     */
    private void pickUpHeapDumps(boolean atStart) {
        List<Path> candidates = new ArrayList<>();
        if (heapDumpOnOomFile != null && Files.isRegularFile(heapDumpOnOomFile)) {
            candidates.add(heapDumpOnOomFile);
        }
        if (atStart) {
            try (DirectoryStream<Path> left = Files.newDirectoryStream(staging, "*.hprof")) {
                left.forEach(p -> {
                    if (!candidates.contains(p)) {
                        candidates.add(p);
                    }
                });
            } catch (IOException e) {
                // nothing to pick up
            }
        }
        for (Path p : candidates) {
            long size;
            try {
                size = Files.size(p);
            } catch (IOException e) {
                continue;
            }
            Long previous = heapDumpSizes.put(p, size);
            boolean ours = p.equals(heapDumpOnOomFile);
            if (ours && (previous == null || previous != size)) {
                continue; // possibly still being written: take it at a later tick when it holds still
            }
            heapDumpSizes.remove(p);
            String fingerprint = "heap-dump:" + p;
            if (budget.admit(fingerprint, true)) {
                offer(new Incident("out-of-memory-heap-dump", "heap dump " + p.getFileName() + " written by the JVM"
                        + (ours ? "" : " in an earlier run"), fingerprint, Instant.now(), null, p, null));
            }
        }
    }

    // ---------------------------------------------------------------- capture

    private void run() {
        try {
            initialize();
        } catch (Throwable t) {
            reporter.error("forensics: start-up in the background failed", t);
        }
        while (true) {
            try {
                if (!step()) {
                    return;
                }
            } catch (OutOfMemoryError e) {
                // The heap is full (an OutOfMemoryError elsewhere): whatever failed to allocate here, the
                // thread must outlive it, or no later incident is captured.
                try {
                    Thread.sleep(100);
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    /** One incident, or one periodic check when none comes; {@code false} when interrupted. */
    private boolean step() {
        Incident incident;
        try {
            incident = queue.poll(config.deadlockCheck().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            return false;
        }
        if (incident == null) {
            safely(this::tick);
            return true;
        }
        busy.set(true);
        IncidentTrace trace = IncidentTrace.start(incident.trigger(), incident.reason());
        try {
            Path bundle = capture(incident);
            trace.captured(bundle);
            if (incident.done() != null) {
                incident.done().complete(bundle);
            }
        } catch (Throwable t) {
            trace.failed(BundleWriter.describe(t));
            reporter.error("forensics: incident '" + incident.trigger() + "' could not be captured", t);
            if (incident.done() != null) {
                incident.done().completeExceptionally(t);
            }
        } finally {
            if (incident.exception() != null && isOutOfMemory(incident.exception()) && reserve == null && config.oomReserve() > 0) {
                try {
                    reserve = new byte[(int) Math.min(config.oomReserve(), Integer.MAX_VALUE - 16)];
                } catch (OutOfMemoryError e) {
                    // still short of memory: the reserve comes back later
                }
            }
            busy.set(false);
            synchronized (idle) {
                idle.notifyAll();
            }
        }
        safely(this::tick);
        return true;
    }

    private void safely(Runnable r) {
        try {
            r.run();
        } catch (Throwable t) {
            reporter.error("forensics: periodic check failed", t);
        }
    }

    private void initialize() throws IOException {
        try (DirectoryStream<Path> partials = Files.newDirectoryStream(dir, "*.partial")) {
            for (Path p : partials) {
                Files.deleteIfExists(p); // torn by a crash; encrypted, but unusable
            }
        }
        try (DirectoryStream<Path> warmUps = Files.newDirectoryStream(staging, "{warm-up-*,recording-*.jfr}")) {
            for (Path p : warmUps) {
                Files.deleteIfExists(p);
            }
        }
        startRecording();
        configureHeapDumpOnOom();
        installListeners();
        pickUpHeapDumps(true);
        warmUp();
        registerControl();
        reporter.info("forensics active: dir=" + dir.toAbsolutePath() + ", " + config.recipients().size()
                + " recipient(s), jfr=" + (jfr != null ? "on" : "off"));
    }

    private synchronized void startRecording() {
        if (!config.jfr()) {
            jfrProblem = "forensics.jfr=off";
            return;
        }
        try {
            jfr = JfrRecorder.start(jfrRepository, config.jfrMaxAge(), config.jfrMaxSize());
            jfrProblem = null;
        } catch (Exception | LinkageError e) {
            jfrProblem = BundleWriter.describe(e);
            reporter.warn("forensics: no JFR recording: " + jfrProblem);
        }
    }

    /**
     * Before a full-process image: the recording stops and lets go of its chunk file, which a
     * restore needs unchanged (the process may carry on and would grow it).
     */
    public synchronized void beforeImage() {
        JfrRecorder recorder = jfr;
        jfr = null;
        if (recorder != null) {
            recorder.stop();
            jfrProblem = "stopped for a full-process image";
        }
    }

    /** After the image, in the process that carries on or in the restored one: a new recording. */
    public synchronized void afterImage() {
        if (jfr == null) {
            startRecording();
        }
    }

    /**
     * Writes (and deletes) one small encrypted bundle in the private staging directory, so that the
     * first real incident does not pay for loading and compiling the capture path. No state (it
     * would close the quiesce gate), no histogram (a full collection), no recording.
     */
    private void warmUp() {
        Redactor redactor = new Redactor(config.allowProperties(), config.allowEnv());
        try (BundleWriter w = new BundleWriter(staging, "warm-up-" + System.nanoTime(), recipients)) {
            w.section("threads.txt", out -> new JvmSections.Threads().text(out));
            w.section("threads.json", out -> new JvmSections.Threads().json(out));
            w.section("memory.json", JvmSections::memory);
            w.section("vm-flags.txt", out -> JvmSections.flags(out, redactor));
            w.section("system-properties.json", out -> JvmSections.systemProperties(out, redactor));
            w.section("environment.json", out -> JvmSections.environment(out, redactor));
            Files.deleteIfExists(w.commit());
        } catch (Exception | LinkageError e) {
            reporter.warn("forensics: warm-up failed: " + BundleWriter.describe(e));
        }
    }

    private Path capture(Incident incident) throws IOException {
        long start = System.nanoTime();
        String name = "incident-" + NAME_TIME.format(incident.time()) + "-" + incident.trigger() + "-"
                + sequence.incrementAndGet();
        Redactor redactor = new Redactor(config.allowProperties(), config.allowEnv());
        String stateProblem = null;
        Path bundle;
        try (BundleWriter w = new BundleWriter(dir, name, recipients)) {
            JvmSections.Threads[] threads = new JvmSections.Threads[1];
            w.section(Summary.NAME, out -> Summary.write(out, incident, () -> threads[0] = new JvmSections.Threads(),
                    files(incident)));
            if (incident.exception() != null) {
                w.section("exception.txt", out -> {
                    PrintStream print = new PrintStream(out, false, StandardCharsets.UTF_8);
                    incident.exception().printStackTrace(print);
                    print.flush();
                });
            }
            w.section("threads.txt", out -> {
                if (threads[0] == null) {
                    threads[0] = new JvmSections.Threads(); // the summary could not take it
                }
                threads[0].text(out);
            });
            w.section("threads.json", out -> {
                if (threads[0] == null) {
                    throw new IllegalStateException("no thread dump (see threads.txt)");
                }
                threads[0].json(out);
            });
            if (Runtime.version().feature() >= 21) {
                w.section("threads-all.json", out -> JvmSections.allThreadsJson(staging, out));
            }
            w.section("memory.json", JvmSections::memory);
            if (config.histogram()) {
                w.section("class-histogram.txt", JvmSections::histogram);
            }
            w.section("vm-flags.txt", out -> JvmSections.flags(out, redactor));
            w.section("system-properties.json", out -> JvmSections.systemProperties(out, redactor));
            w.section("environment.json", out -> JvmSections.environment(out, redactor));
            JfrRecorder recorder = jfr;
            String recordingProblem = null;
            if (recorder != null) {
                try {
                    recordingProblem = recorder.addTo(w, staging);
                } catch (Exception | LinkageError e) {
                    recordingProblem = BundleWriter.describe(e);
                }
            }
            if (config.state() && state != null) {
                stateProblem = StateSection.write(w, state, config.stateTimeout());
            }
            if (config.heapDump()) {
                w.section("heap.hprof", out -> JvmSections.heapDump(staging, out));
            }
            if (incident.attachment() != null && Files.isRegularFile(incident.attachment())) {
                Path file = incident.attachment();
                try {
                    w.section("heap-oom.hprof", out -> {
                        try (InputStream in = Files.newInputStream(file)) {
                            in.transferTo(out);
                        }
                    });
                } finally {
                    Files.deleteIfExists(file); // plaintext heap: never left behind, even if the bundle fails
                }
            }
            long captureNanos = System.nanoTime() - start;
            String problem = stateProblem;
            String recordingLeftOut = recordingProblem;
            List<BundleWriter.Section> sections = w.sections();
            w.section("manifest.json", out -> manifest(out, incident, sections, redactor, captureNanos, problem,
                    recordingLeftOut));
            bundle = w.commit();
        }
        written.incrementAndGet();
        lastBundleEpochMillis = System.currentTimeMillis();
        long bytes = Files.size(bundle);
        for (Path deleted : budget.enforceDisk(dir, bundle)) {
            deletedByDiskBudget.incrementAndGet();
            reporter.info("forensics: deleted " + deleted.getFileName() + " to stay within forensics.disk-budget");
        }
        reporter.info("forensics: " + incident.trigger() + " captured in " + bundle.toAbsolutePath() + " (" + bytes
                + " bytes, " + (System.nanoTime() - start) / 1_000_000 + " ms): " + incident.reason());
        reporter.written(bundle);
        return bundle;
    }

    /** What the summary says to read next: the files this capture is going to write, in order of use. */
    private java.util.Map<String, String> files(Incident incident) {
        java.util.Map<String, String> files = new java.util.LinkedHashMap<>();
        if (incident.exception() != null) {
            files.put("exception.txt", "the exception with all its frames and causes");
        }
        files.put("threads.txt", "every thread's full stack, the locks each holds and waits for (jstack's form)");
        if (jfr != null) {
            files.put("recording.jfr", "the last minutes before the incident: jfr summary / jfr print / JDK Mission Control");
        }
        files.put("memory.json", "heap, pools and collectors now");
        if (config.histogram()) {
            files.put("class-histogram.txt", "live objects by class");
        }
        if (config.state() && state != null) {
            files.put("state/", "the @Checkpointed state: java -jar stasis-agent.jar decrypt BUNDLE -i KEY --render");
        }
        if (config.heapDump()) {
            files.put("heap.hprof", "the heap dump (Eclipse MAT, VisualVM)");
        }
        if (incident.attachment() != null) {
            files.put("heap-oom.hprof", "the heap dump the JVM wrote at OutOfMemoryError");
        }
        files.put("manifest.json", "every file's size and SHA-256, and any part that could not be captured");
        return files;
    }

    private void manifest(OutputStream out, Incident incident, List<BundleWriter.Section> sections, Redactor redactor,
                          long captureNanos, String stateProblem, String recordingLeftOut) throws IOException {
        try (JsonGenerator json = Json.to(out)) {
            json.writeStartObject();
            json.writeStringField("format", "stasis-forensics-bundle/1");
            json.writeStringField("trigger", incident.trigger());
            json.writeStringField("reason", incident.reason());
            json.writeStringField("fingerprint", incident.fingerprint());
            json.writeStringField("time", incident.time().toString());
            json.writeNumberField("captureMillis", captureNanos / 1_000_000);
            json.writeNumberField("pid", ProcessHandle.current().pid());
            json.writeObjectFieldStart("jvm");
            json.writeStringField("version", Runtime.version().toString());
            json.writeStringField("vendor", System.getProperty("java.vm.vendor"));
            json.writeStringField("name", System.getProperty("java.vm.name"));
            json.writeStringField("os", System.getProperty("os.name") + " " + System.getProperty("os.version")
                    + " " + System.getProperty("os.arch"));
            json.writeNumberField("uptimeMillis", ManagementFactory.getRuntimeMXBean().getUptime());
            json.writeEndObject();
            json.writeStringField("agentVersion", config.agentVersion());
            json.writeArrayFieldStart("sections");
            for (BundleWriter.Section s : sections) {
                json.writeStartObject();
                json.writeStringField("name", s.name());
                json.writeNumberField("bytes", s.bytes());
                json.writeStringField("sha256", s.sha256());
                json.writeNumberField("millis", s.millis());
                if (s.error() != null) {
                    json.writeStringField("error", s.error());
                }
                json.writeEndObject();
            }
            json.writeEndArray();
            if (stateProblem != null) {
                json.writeStringField("stateNotCaptured", stateProblem);
            }
            if (jfrProblem != null) {
                json.writeStringField("jfrNotRecorded", jfrProblem);
            }
            if (recordingLeftOut != null) {
                json.writeStringField("recordingLeftOut", recordingLeftOut);
            }
            json.writeObjectFieldStart("redacted");
            json.writeStringField("rule", "values shown only for allow-listed names (the JDK's own system properties, "
                    + "forensics.allow-properties, forensics.allow-env); names that look like secrets always masked");
            json.writeArrayFieldStart("systemProperties");
            for (String n : redactor.maskedProperties()) {
                json.writeString(n);
            }
            json.writeEndArray();
            json.writeArrayFieldStart("environment");
            for (String n : redactor.maskedEnvironment()) {
                json.writeString(n);
            }
            json.writeEndArray();
            json.writeNumberField("jvmArguments", redactor.maskedArguments());
            json.writeArrayFieldStart("jfrEventsAllowed");
            for (String e : new TreeSet<>(JfrRecorder.EVENTS)) {
                json.writeString(e);
            }
            json.writeEndArray();
            json.writeStringField("state", "not redacted: the @Checkpointed state is captured as the application holds it");
            json.writeEndObject();
            json.writeObjectFieldStart("budget");
            json.writeNumberField("suppressedByWindow", budget.suppressedByWindow());
            json.writeNumberField("suppressedByRate", budget.suppressedByRate());
            json.writeNumberField("droppedQueueFull", dropped.get());
            json.writeEndObject();
            json.writeEndObject();
        }
    }

    /** At exit: lets a capture in progress (an uncaught exception that ends the application) finish. */
    private void awaitIdleAtExit() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        synchronized (idle) {
            while ((busy.get() || !queue.isEmpty()) && System.nanoTime() < deadline) {
                try {
                    idle.wait(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    // ---------------------------------------------------------------- JMX

    @Override
    public String incident(String reason) throws Exception {
        return manual(reason).get(2, TimeUnit.MINUTES).toAbsolutePath().toString();
    }

    @Override
    public String getDirectory() {
        return dir.toAbsolutePath().toString();
    }

    @Override
    public long getBundlesWritten() {
        return written.get();
    }

    @Override
    public long getIncidentsSuppressed() {
        return budget.suppressedByWindow() + budget.suppressedByRate() + dropped.get();
    }

    @Override
    public long getBundlesDroppedByBudget() {
        return budget.suppressedByWindow() + budget.suppressedByRate();
    }

    @Override
    public long getBundlesDeletedByDiskBudget() {
        return deletedByDiskBudget.get();
    }

    @Override
    public long getLastBundleEpochMillis() {
        return lastBundleEpochMillis;
    }
}
