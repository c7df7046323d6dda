package io.stasis.agent.internal.restore;

import com.esotericsoftware.kryo.Kryo;
import io.stasis.kryo.SnapshotKryo;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Kryo instances per class loader, lent one at a time. Restoring one root can initialize another
 * owner class, whose restore then borrows a second instance instead of reentering the first.
 */
final class KryoPool {

    private final Map<ClassLoader, Deque<Kryo>> idle = new WeakHashMap<>();

    synchronized Kryo borrow(ClassLoader loader) {
        Deque<Kryo> free = idle.get(loader);
        Kryo kryo = free == null ? null : free.poll();
        return kryo != null ? kryo : SnapshotKryo.create(loader);
    }

    synchronized void release(ClassLoader loader, Kryo kryo) {
        kryo.reset();
        idle.computeIfAbsent(loader, l -> new ArrayDeque<>()).push(kryo);
    }

    synchronized void clear() {
        idle.clear();
    }
}
