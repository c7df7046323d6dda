package io.stasis.agent.internal.state;

import io.stasis.agent.internal.Log;
import io.stasis.agent.internal.config.MemberPattern;
import io.stasis.agent.internal.store.Root;
import io.stasis.bootstrap.Registrations;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Every owner of checkpointed state that has appeared: classes with static state once initialized,
 * instances once constructed. Instances are held weakly, so registration never keeps an object
 * alive; classes are held weakly too, so they can still be unloaded.
 */
public final class StateRegistry implements Registrations.Listener {

    /** Applies restored state to owners as they appear. */
    public interface OwnerListener {
        void staticsAppeared(OwnerType type);

        void instanceAppeared(Object instance, OwnerType type);
    }

    /**
     * Takes one root's field values; {@code instance} is null for static fields.
     *
     * @param <W> what it makes of them: the bytes, where it put them, or the values to serialize later in the cut
     */
    @FunctionalInterface
    public interface RootWriter<W> {
        /** What the root's values were written as, or {@code null} to leave the root out of this cut. */
        W write(String rootName, Map<String, Field> fields, Object instance) throws CaptureException;
    }

    /**
     * One root of a cut, and what its {@link RootWriter} wrote it as.
     *
     * @param fields the field names, in the order their values were written
     */
    public record Captured<W>(Root.Kind kind, String owner, String key, List<String> fields, W written) {
    }

    private final ClassValue<Owner> owners;
    private final Set<WeakReference<Class<?>>> ownerClasses = ConcurrentHashMap.newKeySet();
    private final ReferenceQueue<Object> collected = new ReferenceQueue<>();
    private volatile OwnerListener listener;
    private volatile boolean anyOwnerListed;

    public StateRegistry(List<MemberPattern> fieldPatterns) {
        this.owners = new ClassValue<>() {
            @Override
            protected Owner computeValue(Class<?> type) {
                return new Owner(OwnerType.of(type, fieldPatterns));
            }
        };
    }

    public void setListener(OwnerListener listener) {
        this.listener = listener;
    }

    public OwnerType typeOf(Class<?> type) {
        return owners.get(type).type;
    }

    @Override
    public void constructed(Object instance) {
        try {
            Owner owner = owners.get(instance.getClass());
            if (!owner.type.hasInstanceState()) {
                return;
            }
            expungeCollected();
            owner.live.add(new InstanceRef(instance, owner.live, collected));
            list(owner);
            OwnerListener current = listener;
            if (current != null) {
                current.instanceAppeared(instance, owner.type);
            }
        } catch (Throwable t) {
            Log.error("could not register an instance of " + instance.getClass().getName(), t);
        }
    }

    @Override
    public void initialized(Class<?> type) {
        try {
            Owner owner = owners.get(type);
            if (!owner.type.hasStaticState()) {
                return;
            }
            list(owner);
            OwnerListener current = listener;
            if (current != null) {
                current.staticsAppeared(owner.type);
            }
        } catch (Throwable t) {
            Log.error("could not register class " + type.getName(), t);
        }
    }

    /** Instances registered and not yet collected, for tests and diagnostics. */
    public int liveInstances(Class<?> type) {
        expungeCollected();
        return (int) owners.get(type).live.stream().filter(r -> r.get() != null).count();
    }

    /** Whether any class owning state was registered in this JVM, even one unloaded since. */
    public boolean anyOwnerListed() {
        return anyOwnerListed;
    }

    /** The classes that own state, as registered so far. */
    public List<Class<?>> ownerTypes() {
        List<Class<?>> types = new ArrayList<>();
        for (WeakReference<Class<?>> ref : ownerClasses) {
            Class<?> type = ref.get();
            if (type != null) {
                types.add(type);
            }
        }
        return types;
    }

    /**
     * Hands every root to {@code writer}, in a stable order (by owner, then key). Must run while the
     * quiesce gate is closed.
     *
     * @throws CaptureException when a root cannot be captured, such as a second unkeyed instance
     */
    public <W> List<Captured<W>> capture(RootWriter<W> writer) throws CaptureException {
        Map<String, Owner> byName = new TreeMap<>();
        for (WeakReference<Class<?>> ref : ownerClasses) {
            Class<?> type = ref.get();
            if (type == null) {
                ownerClasses.remove(ref);
            } else {
                byName.put(type.getName() + "@" + System.identityHashCode(type.getClassLoader()), owners.get(type));
            }
        }
        List<Captured<W>> roots = new ArrayList<>();
        for (Owner owner : byName.values()) {
            OwnerType type = owner.type;
            String className = type.type().getName();
            if (type.hasStaticState() && owner.staticsListed) {
                String name = Root.name(Root.Kind.STATIC, className, null);
                W written = writer.write(name, type.staticFields(), null);
                if (written != null) {
                    roots.add(new Captured<>(Root.Kind.STATIC, className, null, List.copyOf(type.staticFields().keySet()),
                            written));
                }
            }
            if (type.hasInstanceState()) {
                for (Map.Entry<String, Object> keyed : liveByKey(owner).entrySet()) {
                    String key = keyed.getKey().isEmpty() && !type.isKeyed() ? null : keyed.getKey();
                    String name = Root.name(Root.Kind.INSTANCE, className, key);
                    W written = writer.write(name, type.instanceFields(), keyed.getValue());
                    if (written != null) {
                        roots.add(new Captured<>(Root.Kind.INSTANCE, className, key,
                                List.copyOf(type.instanceFields().keySet()), written));
                    }
                }
            }
        }
        return roots;
    }

    private Map<String, Object> liveByKey(Owner owner) throws CaptureException {
        Map<Object, Boolean> seen = new IdentityHashMap<>();
        Map<String, Object> byKey = new TreeMap<>();
        String className = owner.type.type().getName();
        for (InstanceRef ref : owner.live) {
            Object instance = ref.get();
            if (instance == null || seen.put(instance, Boolean.TRUE) != null) {
                continue;
            }
            String key;
            try {
                key = owner.type.isKeyed() ? owner.type.keyOf(instance) : "";
            } catch (ReflectiveOperationException | RuntimeException e) {
                throw new CaptureException("cannot read the @CheckpointKey of a " + className + ": " + Log.describe(e));
            }
            if (byKey.putIfAbsent(key, instance) != null) {
                throw new CaptureException(owner.type.isKeyed()
                        ? "two live instances of " + className + " have the same @CheckpointKey '" + key
                          + "'; keys must tell instances apart"
                        : className + " has @Checkpointed instance fields and no @CheckpointKey, so it must be a "
                          + "singleton, but a second instance is live; add a @CheckpointKey field or method");
            }
        }
        return byKey;
    }

    private void list(Owner owner) {
        if (owner.type.hasStaticState()) {
            owner.staticsListed = true;
        }
        if (owner.listed.compareAndSet(false, true)) {
            ownerClasses.add(new WeakReference<>(owner.type.type()));
            anyOwnerListed = true;
        }
    }

    private void expungeCollected() {
        for (Object ref; (ref = collected.poll()) != null; ) {
            InstanceRef dead = (InstanceRef) ref;
            dead.set.remove(dead);
        }
    }

    /** Registration state of one class. */
    private static final class Owner {
        final OwnerType type;
        final Set<InstanceRef> live = ConcurrentHashMap.newKeySet();
        final AtomicBoolean listed = new AtomicBoolean();
        volatile boolean staticsListed;

        Owner(OwnerType type) {
            this.type = type;
        }
    }

    /** A weak reference that knows the set to leave once its instance is collected. */
    private static final class InstanceRef extends WeakReference<Object> {
        final Set<InstanceRef> set;

        InstanceRef(Object instance, Set<InstanceRef> set, ReferenceQueue<Object> queue) {
            super(instance, queue);
            this.set = set;
        }
    }
}
