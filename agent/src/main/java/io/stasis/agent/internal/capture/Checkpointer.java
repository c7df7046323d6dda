package io.stasis.agent.internal.capture;

import com.esotericsoftware.kryo.Kryo;
import io.stasis.agent.internal.Log;
import io.stasis.agent.internal.metrics.CheckpointStats;
import io.stasis.agent.internal.events.CheckpointTrace;
import io.stasis.agent.internal.restore.Restorer;
import io.stasis.agent.internal.state.CaptureException;
import io.stasis.agent.internal.state.StateRegistry;
import io.stasis.agent.internal.store.Root;
import io.stasis.agent.internal.store.Snapshot;
import io.stasis.agent.internal.store.SnapshotRef;
import io.stasis.agent.internal.store.SnapshotStore;
import io.stasis.bootstrap.QuiesceGate;
import io.stasis.kryo.AllowedClasses;
import io.stasis.kryo.ClassNotAllowedException;
import io.stasis.kryo.GraphWriteException;
import io.stasis.kryo.SnapshotKryo;
import io.stasis.kryo.ValueGraph;
import java.io.IOException;
import java.lang.reflect.Field;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Takes checkpoints, one at a time: closes the quiesce gate, waits for units of work in flight to
 * drain, serializes every root into a buffer kept from cut to cut ({@link CutBuffer}), on several
 * cores when the last cut had more than one large root ({@link CutLanes}), opens the gate, and
 * only then copies each root's bytes out and writes them to the store. The pause that the
 * application sees covers the drain and serialization, not new memory, compression or I/O.
 */
public final class Checkpointer {

    /** Enough writes for the hottest paths to leave the interpreter; a fraction of a millisecond each. */
    private static final int WARM_UP_WRITES = 200;
    /**
     * The bytes the roots other than the largest must have had in the last cut for the next one to
     * be written on several cores: a lane's thread takes a fraction of a millisecond to wake, about
     * what writing this much takes.
     */
    static final long PARALLEL_FROM_BYTES = 256 * 1024;

    private final StateRegistry registry;
    private final SnapshotStore store;
    private final Restorer restorer;
    private final Duration quiesceTimeout;
    private final int keep;
    private final AllowedClasses allowed;
    private final CheckpointStats stats;
    private CutLanes lanes;
    /** The classes the current cut's roots name, for the manifest's class table. */
    private final java.util.SortedSet<String> classesOfCut = new java.util.TreeSet<>();
    /** The roots restore had not applied when the current cut began, by name. */
    private Map<String, Root> pendingAtCut = Map.of();
    /**
     * How many bytes each root had in the last cut, by name, when the roots besides the largest
     * held enough for other cores to help ({@link #PARALLEL_FROM_BYTES}); otherwise empty, and the
     * next cut is written in sequence. Which roots to hand out first.
     */
    private Map<String, Integer> lastRootBytes = Map.of();
    /** How many lanes wrote the last cut's roots. */
    private int lanesOfLastCut;
    /** What the last snapshot this JVM committed holds, and that snapshot. */
    private StateDigest lastDigest;
    private SnapshotRef lastRef;
    /** Between {@link #suspend} and {@link #resume}: the gate is closed and the store let go. */
    private boolean suspended;

    /**
     * @param restorer the restore in progress, whose roots not yet applied are carried into every
     *                 new snapshot; {@code null} when nothing was restored
     * @param allowed  what any root may hold beyond the types its owner's fields reach: a graph
     *                 that restore would refuse is refused when it is captured
     */
    /** After the exit checkpoint: lets another JVM write to the store at once (see {@link SnapshotStore#releaseWriter}). */
    public void releaseWriter() {
        try {
            store.releaseWriter();
        } catch (IOException | RuntimeException e) {
            Log.warn("could not hand the store over: " + Log.describe(e) + "; the next writer waits for the lease to lapse");
        }
    }

    public Checkpointer(StateRegistry registry, SnapshotStore store, Restorer restorer, Duration quiesceTimeout, int keep,
                        AllowedClasses allowed) {
        this(registry, store, restorer, quiesceTimeout, keep, allowed, new CheckpointStats(0, 0));
    }

    /** @param stats records every checkpoint's attempt and outcome ({@code io.stasis:type=Checkpoints}) */
    public Checkpointer(StateRegistry registry, SnapshotStore store, Restorer restorer, Duration quiesceTimeout, int keep,
                        AllowedClasses allowed, CheckpointStats stats) {
        this.stats = stats;
        this.registry = registry;
        this.store = store;
        this.restorer = restorer;
        this.quiesceTimeout = quiesceTimeout;
        this.keep = keep;
        this.allowed = allowed;
    }

    /**
     * A checkpoint that has been committed to the store.
     *
     * @param pauseNanos    how long the gate was closed
     * @param writeNanos    how long writing it to the store took, after the pause
     * @param sizeBytes     its roots, serialized
     * @param durationNanos from closing the gate until the snapshot was durable
     * @param unchanged     the state was the same as in {@code ref}, committed earlier, so nothing was written
     */
    public record Committed(SnapshotRef ref, long pauseNanos, long writeNanos, String reason, Instant time,
                            long sizeBytes, long durationNanos, boolean unchanged) {
    }

    public synchronized Committed checkpoint(String reason) throws CheckpointException {
        return recorded(reason, false, false, null);
    }

    /**
     * Where a group's cut waits, with this JVM's gate closed and drained, until every member of the
     * group has drained too, so that no unit of work in any member straddles the cut.
     */
    public interface CutBarrier {
        /**
         * Before the gate closes, the application running: waits until every member is about to
         * close its own.
         *
         * @return {@code null} once every member is; otherwise why the cut is given up
         */
        String awaitReady() throws InterruptedException;

        /**
         * @param deadlineNanos when the gate has been closed for {@code quiesce-timeout} ({@link System#nanoTime})
         * @return {@code null} once every member has drained; otherwise why the cut is given up
         */
        String awaitOthers(long deadlineNanos) throws InterruptedException;
    }

    /**
     * A checkpoint for a group's epoch: as {@link #checkpoint}, but the capture waits at {@code barrier}
     * (within the same {@code quiesce-timeout} as the drain) for the other members.
     */
    public synchronized Committed checkpointInEpoch(String reason, CutBarrier barrier) throws CheckpointException {
        return recorded(reason, false, false, barrier);
    }

    /** Removes a snapshot this JVM wrote that must never be restored (its group's epoch was aborted). */
    public synchronized void discard(SnapshotRef ref) throws IOException {
        store.discard(ref);
        if (lastRef != null && lastRef.id().equals(ref.id())) {
            lastRef = null;
            lastDigest = null;
        }
    }

    /**
     * A periodic checkpoint: when the state is what the last snapshot this JVM committed holds,
     * nothing is written and that snapshot is returned, {@link Committed#unchanged() unchanged}. It
     * counts as a success: what is on disk is the state as of now.
     */
    public synchronized Committed checkpointIfChanged(String reason) throws CheckpointException {
        return recorded(reason, false, true, null);
    }

    /** {@link #take}, with its attempt and outcome recorded in {@link #stats}. */
    private Committed recorded(String reason, boolean holdGate, boolean skipUnchanged, CutBarrier barrier)
            throws CheckpointException {
        stats.attempted();
        try {
            Committed committed = take(reason, holdGate, skipUnchanged, barrier);
            stats.committed(committed.time().toEpochMilli(), committed.pauseNanos(), committed.durationNanos(),
                    committed.sizeBytes());
            return committed;
        } catch (CheckpointException e) {
            stats.failed(e.getMessage());
            throw e;
        } catch (RuntimeException | Error e) {
            stats.failed("checkpoint '" + reason + "' failed: " + Log.describe(e));
            throw e;
        }
    }

    /**
     * For a full-process image: a checkpoint after which the quiesce gate stays closed and the store
     * is let go of, until {@link #resume}. The snapshot holds exactly the state the image holds, so a
     * start without the image resumes from the same point.
     */
    public synchronized Committed suspend() throws CheckpointException {
        Committed committed = recorded("image", true, false, null);
        try {
            store.suspendWriting();
        } catch (IOException e) {
            QuiesceGate.open();
            throw new CheckpointException("the store could not be let go of: " + Log.describe(e), e);
        }
        suspended = true;
        return committed;
    }

    /**
     * @param holdGate      keep the gate closed once the snapshot is written, unless it fails
     * @param skipUnchanged write nothing when the state is the last committed snapshot's
     * @param barrier       where the capture waits for a group's other members, or {@code null}
     */
    private Committed take(String reason, boolean holdGate, boolean skipUnchanged, CutBarrier barrier)
            throws CheckpointException {
        CheckpointTrace trace = CheckpointTrace.start(reason);
        try {
            Committed committed = take(reason, holdGate, skipUnchanged, barrier, trace);
            if (committed.unchanged()) {
                trace.unchanged();
            } else {
                trace.committed(committed.ref().bytes());
            }
            return committed;
        } catch (CheckpointException | RuntimeException | Error e) {
            trace.notCommitted(Log.describe(e));
            throw e;
        }
    }

    private Committed take(String reason, boolean holdGate, boolean skipUnchanged, CutBarrier barrier,
                           CheckpointTrace trace) throws CheckpointException {
        if (suspended) {
            trace.outcome("refused");
            throw new CheckpointException("checkpoint '" + reason + "' refused: a full-process image is being taken", null);
        }
        if (restorer != null) {
            restorer.summarize();
            restorer.warnForeign(registry.ownerTypes().stream().map(Class::getClassLoader).distinct().toList());
            restorer.forgetConstructions();
        }
        Instant time;
        long pauseNanos;
        List<StateRegistry.Captured<RootValues>> captured;
        long sequence;
        try {
            sequence = store.nextSequence();
        } catch (IOException e) {
            throw new CheckpointException("checkpoint '" + reason + "' failed: cannot read the store: " + Log.describe(e), e);
        }
        trace.sequence(sequence);
        String notReady;
        try {
            notReady = barrier == null ? null : barrier.awaitReady();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            notReady = "interrupted";
        }
        if (notReady != null) {
            trace.outcome("abandoned");
            throw abandoned(reason, notReady);
        }
        // Before the gate closes: the first checkpoint's Kryo (every serializer registered, a cold
        // JVM's hundreds of milliseconds) is made here, not in its pause, when the warm-up has not
        // made it yet (an interval shorter than the warm-up's delay). Not while no class owns state:
        // then the cut writes no root (what the snapshot restored but nothing claimed yet is carried
        // over as stored), as in a short program's exit snapshot; an owner that appears meanwhile
        // has its Kryo made in the cut. So are the other lanes' Kryos, when the last cut says they help.
        boolean inParallel = false;
        if (!registry.ownerTypes().isEmpty()) {
            ensureLanes();
            inParallel = lanes.parallel() && !lastRootBytes.isEmpty();
            if (inParallel) {
                lanes.prepare(this::warmUp);
            }
        }
        trace.pauseBegins();
        long start = System.nanoTime();
        QuiesceGate.close();
        boolean cutTaken = false;
        try {
            List<Thread> inside = QuiesceGate.awaitDrained(quiesceTimeout.toNanos());
            if (!inside.isEmpty()) {
                trace.outcome("abandoned");
                throw abandoned(reason, stillInside(inside));
            }
            String refused = barrier == null ? null : barrier.awaitOthers(start + quiesceTimeout.toNanos());
            if (refused != null) {
                trace.outcome("abandoned");
                throw abandoned(reason, refused);
            }
            time = Instant.now();
            pendingAtCut = restorer == null ? Map.of() : restorer.pendingByName();
            classesOfCut.clear();
            if (lanes != null) {
                lanes.clear();
            }
            captured = registry.capture(rootWriter());
            write(captured, inParallel);
            cutTaken = true;
        } catch (CaptureException e) {
            throw new CheckpointException("checkpoint '" + reason + "' failed: " + e.getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            trace.outcome("abandoned");
            throw new CheckpointException("checkpoint '" + reason + "' abandoned: interrupted", "interrupted", e);
        } finally {
            if (!(holdGate && cutTaken)) {
                QuiesceGate.open();
            }
            pauseNanos = System.nanoTime() - start;
            trace.pauseEnds();
        }
        List<Root> roots = withPending(copiedOut(captured));
        trace.captured(roots.size(), roots.stream().mapToLong(root -> root.data().length).sum());
        Snapshot snapshot = new Snapshot(sequence, time, reason, pauseNanos, roots, List.copyOf(classesOfCut));
        StateDigest digest = StateDigest.of(snapshot.roots(), snapshot.classes());
        long sizeBytes = roots.stream().mapToLong(r -> r.data().length).sum();
        if (skipUnchanged && digest.same(lastDigest)) {
            return new Committed(lastRef, pauseNanos, 0, reason, time, sizeBytes, System.nanoTime() - start, true);
        }
        SnapshotRef ref;
        long writeStart = System.nanoTime();
        try {
            ref = store.write(snapshot);
        } catch (IOException | RuntimeException e) {
            if (holdGate) {
                QuiesceGate.open();
            }
            throw new CheckpointException("checkpoint '" + reason + "' could not be written to the store: "
                    + Log.describe(e) + "; earlier snapshots are intact", e);
        }
        lastDigest = digest;
        lastRef = ref;
        long writeNanos = System.nanoTime() - writeStart;
        long durationNanos = System.nanoTime() - start;
        retain(ref);
        return new Committed(ref, pauseNanos, writeNanos, reason, time, sizeBytes, durationNanos, false);
    }

    /** After a committed snapshot: a failure to remove old ones does not undo it. */
    private void retain(SnapshotRef written) {
        try {
            store.retain(keep);
        } catch (IOException | RuntimeException e) {
            Log.warn("snapshot " + written.id() + " was written, but older snapshots could not be removed (keep=" + keep
                    + "): " + Log.describe(e) + "; the next checkpoint tries again");
        }
    }

    /**
     * Serializes the roots the registry captured (on the lanes, the largest of the last cut first,
     * when {@code inParallel}), and fails with the first root, in the cut's order, that could not be.
     */
    private void write(List<StateRegistry.Captured<RootValues>> captured, boolean inParallel) throws CaptureException {
        List<RootValues> roots = new ArrayList<>(captured.size());
        for (StateRegistry.Captured<RootValues> root : captured) {
            roots.add(root.written());
        }
        if (inParallel) {
            Map<String, Integer> last = lastRootBytes;
            roots.sort(Comparator.comparingInt((RootValues root) -> last.getOrDefault(root.name, 0)).reversed());
        }
        // Roots were read only if there are lanes.
        lanesOfLastCut = roots.isEmpty() ? 0 : lanes.write(roots, inParallel);
        long all = 0;
        int largest = 0;
        for (StateRegistry.Captured<RootValues> root : captured) {
            RootValues values = root.written();
            if (values.failure != null) {
                throw values.failure;
            }
            classesOfCut.addAll(values.classes);
            all += values.span.length();
            largest = Math.max(largest, values.span.length());
        }
        // Sizes are kept only when the next cut will use them: most applications' roots are small.
        if (all - largest < PARALLEL_FROM_BYTES) {
            lastRootBytes = Map.of();
        } else {
            Map<String, Integer> bytes = new HashMap<>();
            for (RootValues root : roots) {
                bytes.put(root.name, root.span.length());
            }
            lastRootBytes = bytes;
        }
    }

    /** How many lanes (cores) wrote the last cut's roots: 1 when they were written in sequence. */
    synchronized int lanesOfLastCut() {
        return lanesOfLastCut;
    }

    /**
     * Makes the first checkpoint's pause like the later ones: creates the Kryo and loads the
     * classes writing needs, on the caller's thread and outside any cut, by writing a throwaway
     * graph of common JDK types, looking at the types of the owners registered so far, and running
     * the cut's own path (reflection, lambdas, the digest) on fields of the
     * agent's own (never on the application's state, which is read only inside a cut).
     * Made neither at start-up, which it would slow down, nor in the first pause.
     */
    public synchronized void prepare() {
        ensureLanes();
        try {
            for (Class<?> owner : registry.ownerTypes()) {
                allowed.andReachableFrom(owner); // reflection over the owner's field types, cached by the JDK
            }
            CutLanes.Lane lane = lanes.first();
            for (int i = 0; i < WARM_UP_WRITES; i++) {
                warmUp(lane);
            }
            // The cut's own path, on fields of the agent's: reflection's accessors for each kind of
            // field, the owner's reachable types, the lambdas and comparators a capture runs through.
            StateRegistry.RootWriter<RootValues> writer = rootWriter();
            Map<String, Field> statics = WarmUpGraph.staticFields();
            Map<String, Field> fields = WarmUpGraph.instanceFields();
            Object instance = WarmUpGraph.instance();
            for (int i = 0; i < WARM_UP_WRITES; i++) {
                lanes.clear();
                List<RootValues> roots = List.of(writer.write(WarmUpGraph.ROOT, statics, null),
                        writer.write(WarmUpGraph.ROOT, fields, instance));
                lanes.write(roots, false);
                for (RootValues root : roots) {
                    if (root.failure != null) {
                        throw root.failure;
                    }
                    root.bytes();
                }
            }
            lanes.clear();
            classesOfCut.clear();
            withPending(List.of(new Root(Root.Kind.STATIC, WarmUpGraph.ROOT, null, List.of(), new byte[0])));
            StateDigest.of(List.of(), List.of());
        } catch (CaptureException | RuntimeException e) {
            Log.warn("the checkpoint warm-up failed, so the first checkpoint may pause longer: " + Log.describe(e));
        }
    }

    /** A throwaway graph of common JDK types, written on {@code lane}: what loads and compiles the writing path. */
    private void warmUp(CutLanes.Lane lane) {
        SnapshotKryo.allow(lane.kryo(), allowed);
        lane.cut().clear();
        lane.cut().bytes(lane.cut().append(lane.kryo(), WarmUpGraph.create()));
    }

    private void ensureLanes() {
        if (lanes == null) {
            lanes = new CutLanes(() -> SnapshotKryo.create(Checkpointer.class.getClassLoader(), allowed),
                    Runtime.getRuntime().availableProcessors());
        }
    }

    private static CheckpointException abandoned(String reason, String why) {
        return new CheckpointException("checkpoint '" + reason + "' abandoned: " + why
                + "; the application carries on unchanged", why, null);
    }

    private String stillInside(List<Thread> inside) {
        return inside.size() + " thread(s) still inside a unit of work after quiesce-timeout=" + format(quiesceTimeout)
                + ": " + inside.stream().map(Thread::getName).sorted().collect(Collectors.joining(", "));
    }

    /** Takes the store back and opens the gate; the gate opens even if the store cannot be taken back. */
    public synchronized void resume() throws CheckpointException {
        if (!suspended) {
            return;
        }
        suspended = false;
        try {
            store.resumeWriting();
        } catch (IOException e) {
            throw new CheckpointException("checkpoints cannot go on: " + Log.describe(e), e);
        } finally {
            QuiesceGate.open();
        }
    }

    /**
     * The captured roots and those restore had not applied when the cut began: their owners, if
     * they have appeared, hold only constructor state or are being restored, so the pending data
     * is what the cut stores for them ({@link #serialize} leaves their live state out).
     */
    private List<Root> withPending(List<Root> captured) {
        List<Root> all = new ArrayList<>(captured);
        all.addAll(pendingAtCut.values());
        all.sort(Root.byName());
        return all;
    }

    /** The roots of a cut, each with its bytes copied out of the cut's buffer. */
    private static List<Root> copiedOut(List<StateRegistry.Captured<RootValues>> captured) {
        List<Root> roots = new ArrayList<>(captured.size());
        for (StateRegistry.Captured<RootValues> root : captured) {
            roots.add(new Root(root.kind(), root.owner(), root.key(), root.fields(), root.written().bytes(),
                    root.written().sharesObjects));
        }
        return roots;
    }

    /** One place, so that {@link #prepare} links the method reference a cut uses. */
    private StateRegistry.RootWriter<RootValues> rootWriter() {
        return this::read;
    }

    /** Reads one root's field values in the cut; they are serialized once every root is read ({@link #write}). */
    private RootValues read(String rootName, Map<String, Field> fields, Object instance) throws CaptureException {
        if (pendingAtCut.containsKey(rootName)) {
            return null; // not restored yet: the pending data goes in instead
        }
        ensureLanes();
        Class<?> owner = instance != null ? instance.getClass()
                : fields.isEmpty() ? Object.class : fields.values().iterator().next().getDeclaringClass();
        List<Object> values = new ArrayList<>(fields.size());
        try {
            for (Field field : fields.values()) {
                values.add(field.get(instance));
            }
        } catch (Exception e) {
            throw new CaptureException("cannot capture " + rootName + ": " + Log.describe(e), e);
        }
        return new RootValues(rootName, List.copyOf(fields.keySet()), values, allowed.andReachableFrom(owner));
    }

    /** One root's values, read in the cut, and what serializing them on a lane gave. */
    private static final class RootValues implements CutLanes.Task {
        final String name;
        private final List<String> fieldNames;
        private final List<Object> values;
        private final AllowedClasses allowed;
        private CutBuffer cut;
        CutBuffer.Span span;
        List<String> classes;
        boolean sharesObjects;
        CaptureException failure;

        RootValues(String name, List<String> fieldNames, List<Object> values, AllowedClasses allowed) {
            this.name = name;
            this.fieldNames = fieldNames;
            this.values = values;
            this.allowed = allowed;
        }

        @Override
        public void writeOn(CutLanes.Lane lane) {
            Kryo kryo = lane.kryo();
            cut = lane.cut();
            try {
                SnapshotKryo.allow(kryo, allowed);
                span = cut.append(kryo, values);
                sharesObjects = ValueGraph.sharesObjects(kryo);
                classes = SnapshotKryo.classesWritten(kryo);
            } catch (GraphWriteException e) {
                List<String> path = new ArrayList<>();
                path.add(name + "." + fieldNames.get(e.index()));
                path.addAll(e.path());
                String hint = e.getCause() instanceof ClassNotAllowedException refused ? Log.allowHint(refused) : "";
                failure = new CaptureException("cannot capture " + String.join(" → ", path) + ": " + e.reason() + hint, e);
            } catch (Exception | StackOverflowError e) {
                failure = new CaptureException("cannot capture " + name + ": " + Log.describe(e), e);
            }
        }

        /** The root's bytes, in an array of their own. */
        byte[] bytes() {
            return cut.bytes(span);
        }
    }

    private static String format(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }
}
