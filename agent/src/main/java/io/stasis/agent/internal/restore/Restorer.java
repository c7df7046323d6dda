package io.stasis.agent.internal.restore;

import com.esotericsoftware.kryo.Kryo;
import io.stasis.agent.internal.Log;
import io.stasis.agent.internal.metrics.RestoreStats;
import io.stasis.agent.internal.events.RestoreTrace;
import io.stasis.agent.internal.state.OwnerType;
import io.stasis.agent.internal.state.StateRegistry;
import io.stasis.agent.internal.store.Root;
import io.stasis.agent.internal.store.Snapshot;
import io.stasis.agent.internal.store.SnapshotRef;
import io.stasis.kryo.ValueGraph;
import io.stasis.kryo.AllowedClasses;
import io.stasis.kryo.ClassNotAllowedException;
import io.stasis.kryo.SnapshotKryo;
import io.stasis.kryo.schema.Problems;
import java.lang.ref.WeakReference;
import java.lang.reflect.Field;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Applies one snapshot's roots as their owners appear: a class's statics right after its static
 * initializer, an instance's fields right after its constructor. Each root is applied once, with
 * the owner's class loader, and all its values are read before any field is set, so an owner gets
 * either its whole restored state or none of it.
 */
public final class Restorer implements StateRegistry.OwnerListener {

    private final SnapshotRef ref;
    private final Snapshot snapshot;
    private final Map<String, Root> pending = new ConcurrentHashMap<>();
    private final List<String> restored = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, String> skipped = new ConcurrentHashMap<>();
    private final KryoPool kryos;
    private final AllowedClasses allowed;
    private final RestoreStats stats;
    /**
     * Instances restored while a constructor that delegated with {@code this(...)} may still be
     * running: each later constructor exit of the same instance applies the values again, so the
     * outer constructor's assignments do not win. Forgotten at the next checkpoint.
     */
    private final Map<InstanceKey, Map<Field, Object>> restoredInstances = new ConcurrentHashMap<>();
    private final AtomicBoolean summarized = new AtomicBoolean();
    /** Every root has been applied or skipped. */
    private final AtomicBoolean completed = new AtomicBoolean();
    private static final long FOREIGN_GRACE_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
    private final long createdNanos = System.nanoTime();
    /** Only the thread that takes checkpoints (one at a time) reads and writes it. */
    private boolean foreignChecked;
    /** Roots whose owner has appeared: each is applied once, then leaves {@link #pending}. */
    private final java.util.Set<String> claimed = ConcurrentHashMap.newKeySet();

    /**
     * @param allowed what any root may hold beyond the types its owner's fields reach
     * @param stats   records each root applied or refused ({@code io.stasis:type=Restore})
     */
    public Restorer(SnapshotRef ref, Snapshot snapshot, AllowedClasses allowed, RestoreStats stats) {
        this(ref, snapshot, allowed, stats, new KryoPool());
    }

    /** As above, borrowing from {@code kryos}, which may already be preparing an instance. */
    public Restorer(SnapshotRef ref, Snapshot snapshot, AllowedClasses allowed, RestoreStats stats, KryoPool kryos) {
        this.kryos = kryos;
        this.stats = stats;
        this.ref = ref;
        this.snapshot = snapshot;
        this.allowed = allowed;
        for (Root root : snapshot.roots()) {
            pending.put(root.name(), root);
        }
        if (!pending.isEmpty()) {
            kryos.prepare(ClassLoader.getSystemClassLoader()); // the application's classes, in most applications
        }
    }

    public SnapshotRef ref() {
        return ref;
    }

    public Snapshot snapshot() {
        return snapshot;
    }

    @Override
    public void staticsAppeared(OwnerType type) {
        applyOnce(Root.name(Root.Kind.STATIC, type.type().getName(), null), type, type.staticFields(), null);
    }

    @Override
    public void instanceAppeared(Object instance, OwnerType type) {
        if (!restoredInstances.isEmpty()) {
            Map<Field, Object> again = restoredInstances.get(new InstanceKey(instance));
            if (again != null) {
                assign(again, instance);
                return;
            }
        }
        if (pending.isEmpty()) {
            return;
        }
        String key;
        try {
            key = type.keyOf(instance);
        } catch (ReflectiveOperationException | RuntimeException e) {
            Log.warn("cannot restore a " + type.type().getName() + ": its @CheckpointKey is unreadable: " + Log.describe(e));
            return;
        }
        applyOnce(Root.name(Root.Kind.INSTANCE, type.type().getName(), key), type, type.instanceFields(), instance);
    }

    /**
     * Applies a pending root once, and only then stops calling it pending: a checkpoint that runs
     * meanwhile stores the pending data (what is being applied), never the owner's constructor
     * state. No lock is held, so a checkpoint never waits for a class initializer or the reverse.
     */
    private void applyOnce(String name, OwnerType type, Map<String, Field> fields, Object instance) {
        Root root = pending.get(name);
        if (root != null && claimed.add(name)) {
            try {
                apply(root, type, fields, instance);
            } finally {
                pending.remove(name);
            }
            if (pending.isEmpty() && completed.compareAndSet(false, true)) {
                kryos.clear();
                // The last root has landed: said once, even if a checkpoint already said what was waiting.
                summarized.set(true);
                Log.info(summary());
            }
        }
    }

    /** Called when a checkpoint starts: constructors that were running at restore have completed. */
    public void forgetConstructions() {
        restoredInstances.clear();
    }

    /** Roots not applied yet (including any being applied now), by name; new snapshots carry them forward unchanged. */
    public Map<String, Root> pendingByName() {
        return Map.copyOf(pending);
    }

    /** Logs, once, what was restored, what is still waiting and what was skipped; the last root's arrival is logged too. */
    public void summarize() {
        if (summarized.compareAndSet(false, true)) {
            Log.info(summary());
        }
    }

    /**
     * Names, once, the roots still waiting whose owner class none of {@code loaders} can find: the
     * store was most likely written by another application. Not in the first seconds, while the
     * application may still be making the class loader that has them (a Spring Boot jar's).
     */
    public void warnForeign(List<ClassLoader> loaders) {
        if (foreignChecked || System.nanoTime() - createdNanos < FOREIGN_GRACE_NANOS || pending.isEmpty()) {
            return;
        }
        foreignChecked = true;
        List<String> foreign = new TreeMap<>(pending).values().stream()
                .filter(root -> !findable(root.owner(), loaders)).map(Root::name).toList();
        if (!foreign.isEmpty()) {
            Log.warn("snapshot " + ref.id() + " holds " + foreign.size() + " root(s) of classes this application does "
                    + "not have: " + String.join(", ", foreign) + "; was its dir written by another application? "
                    + "They are kept in new snapshots; give each application its own dir");
        }
    }

    private static boolean findable(String className, List<ClassLoader> loaders) {
        String resource = className.replace('.', '/') + ".class";
        if (ClassLoader.getSystemResource(resource) != null) {
            return true;
        }
        return loaders.stream().anyMatch(loader -> loader != null && loader.getResource(resource) != null);
    }

    /** The facade's view, as JDK types that cross class loaders. */
    public Map<String, Object> describe() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("source", "SNAPSHOT");
        d.put("id", ref.id());
        d.put("sequence", snapshot.sequence());
        d.put("timeMillis", snapshot.time().toEpochMilli());
        d.put("restored", List.copyOf(restored));
        d.put("pending", new ArrayList<>(new TreeMap<>(pending).keySet()));
        d.put("skipped", Map.copyOf(skipped));
        d.put("message", summary());
        return d;
    }

    String summary() {
        StringBuilder line = new StringBuilder("restore from snapshot ").append(ref.id())
                .append(" (taken ").append(snapshot.time().truncatedTo(ChronoUnit.MILLIS)).append(", ")
                .append(snapshot.reason()).append("): ")
                .append(restored.size()).append(" of ").append(snapshot.roots().size()).append(" roots restored");
        if (!pending.isEmpty()) {
            line.append(" so far, ").append(pending.size()).append(" waiting for their owner to appear (restored then; "
                    + "kept in new snapshots until then): ")
                    .append(String.join(", ", new TreeMap<>(pending).keySet()));
        }
        if (!skipped.isEmpty()) {
            line.append("; skipped: ");
            new TreeMap<>(skipped).forEach((name, why) -> line.append(name).append(" (").append(why).append(") "));
        }
        return line.toString().trim();
    }

    private void apply(Root root, OwnerType type, Map<String, Field> fields, Object instance) {
        ClassLoader loader = type.type().getClassLoader();
        if (loader == null) {
            loader = ClassLoader.getSystemClassLoader();
        }
        long start = System.nanoTime();
        boolean applied = false;
        RestoreTrace trace = RestoreTrace.start(root.name(), ref.id(), root.data().length);
        Kryo kryo = kryos.borrow(loader);
        try {
            SnapshotKryo.allow(kryo, allowed.andReachableFrom(type.type()));
            List<Object> read = snapshot.authenticated()
                    ? ValueGraph.readAuthenticated(kryo, root.data(), root.fields().size())
                    : root.sharesObjects() ? ValueGraph.readSharing(kryo, root.data(), root.fields().size())
                    : ValueGraph.read(kryo, root.data(), root.fields().size());
            Map<String, Object> values = new LinkedHashMap<>();
            for (int i = 0; i < read.size(); i++) {
                values.put(root.fields().get(i), read.get(i));
            }
            List<String> notes = new ArrayList<>(Problems.drain(kryo));
            Map<Field, Object> assignments = new LinkedHashMap<>();
            values.forEach((name, value) -> {
                Field field = fields.get(name);
                if (field == null) {
                    notes.add("field " + name + " no longer exists");
                } else if (!assignable(field.getType(), value)) {
                    notes.add("field " + name + " is now " + field.getType().getTypeName() + ", snapshot has "
                            + value.getClass().getName());
                } else {
                    assignments.put(field, value);
                }
            });
            assign(assignments, instance);
            if (instance != null) {
                restoredInstances.put(new InstanceKey(instance), assignments);
            }
            restored.add(root.name());
            applied = true;
            if (!notes.isEmpty()) {
                Log.warn("restored " + root.name() + " partly: " + String.join("; ", notes));
            }
            trace.done(notes.isEmpty() ? "restored" : "partial", String.join("; ", notes));
        } catch (ClassNotAllowedException e) {
            skipped.put(root.name(), e.getMessage() + Log.allowHint(e));
            trace.done("skipped", skipped.get(root.name()));
            Log.error("could not restore " + root.name() + " from snapshot " + ref.id() + ": " + e.getMessage()
                    + Log.allowHint(e) + "; it keeps the state its constructor gave it", null);
        } catch (Exception | LinkageError e) {
            skipped.put(root.name(), Log.describe(e));
            trace.done("skipped", Log.describe(e));
            Log.error("could not restore " + root.name() + " from snapshot " + ref.id()
                    + "; it keeps the state its constructor gave it", e);
        } finally {
            kryos.release(loader, kryo);
            stats.rootApplied(applied, System.nanoTime() - start);
        }
    }

    private static void assign(Map<Field, Object> assignments, Object instance) {
        try {
            for (Map.Entry<Field, Object> assignment : assignments.entrySet()) {
                assignment.getKey().set(instance, assignment.getValue());
            }
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e); // fields were made accessible when the owner type was read
        }
    }

    /** An instance by identity, held weakly: application classes may override equals and hashCode. */
    private static final class InstanceKey extends WeakReference<Object> {
        private final int hash;

        InstanceKey(Object instance) {
            super(instance);
            this.hash = System.identityHashCode(instance);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof InstanceKey key && key.get() != null && key.get() == get();
        }
    }

    private static boolean assignable(Class<?> fieldType, Object value) {
        if (value == null) {
            return !fieldType.isPrimitive();
        }
        if (!fieldType.isPrimitive()) {
            return fieldType.isInstance(value);
        }
        return switch (fieldType.getName()) {
            case "boolean" -> value instanceof Boolean;
            case "char" -> value instanceof Character;
            case "byte" -> value instanceof Byte;
            case "short" -> value instanceof Short || value instanceof Byte;
            case "int" -> value instanceof Integer || value instanceof Short || value instanceof Byte
                    || value instanceof Character;
            case "long" -> value instanceof Long || value instanceof Integer || value instanceof Short
                    || value instanceof Byte || value instanceof Character;
            case "float" -> value instanceof Float || value instanceof Long || value instanceof Integer
                    || value instanceof Short || value instanceof Byte || value instanceof Character;
            case "double" -> value instanceof Number || value instanceof Character;
            default -> false;
        };
    }
}
