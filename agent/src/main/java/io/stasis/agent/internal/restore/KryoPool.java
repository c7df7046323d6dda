package io.stasis.agent.internal.restore;

import com.esotericsoftware.kryo.Kryo;
import io.stasis.kryo.SnapshotKryo;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Kryo instances per class loader, lent one at a time. Restoring one root can initialize another
 * owner class, whose restore then borrows a second instance instead of reentering the first.
 */
public final class KryoPool {

    /** How long a borrower waits for the instance being prepared before it makes its own. */
    private static final long PREPARED_WAIT_SECONDS = 10;

    private final Map<ClassLoader, Deque<Kryo>> idle = new WeakHashMap<>();
    private ClassLoader preparedFor;
    private FutureTask<Kryo> prepared;
    private Thread preparing;

    /**
     * Starts making an instance for {@code loader} on a thread of its own: made at start-up, its
     * cost (loading and registering every serializer, about as long as the rest of start-up) would
     * otherwise fall on the first owner's class initialization, usually before {@code main}. Once
     * per loader: asked again while it is prepared or before it is borrowed, nothing more is done.
     */
    public synchronized void prepare(ClassLoader loader) {
        if (loader == preparedFor || idle.containsKey(loader)) {
            return;
        }
        preparedFor = loader;
        prepared = new FutureTask<>(() -> SnapshotKryo.create(loader));
        preparing = new Thread(prepared, "stasis-restore-prepare");
        preparing.setDaemon(true);
        preparing.start();
    }

    Kryo borrow(ClassLoader loader) {
        FutureTask<Kryo> made;
        synchronized (this) {
            Deque<Kryo> free = idle.get(loader);
            Kryo kryo = free == null ? null : free.poll();
            if (kryo != null) {
                return kryo;
            }
            // Never waited for by the thread making it: its own class initializations may restore.
            made = loader == preparedFor && Thread.currentThread() != preparing ? prepared : null;
            if (made != null) {
                prepared = null;
                preparedFor = null;
            }
        }
        if (made != null) {
            try {
                return made.get(PREPARED_WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                // made here instead, where a failure is reported as the root's
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return SnapshotKryo.create(loader);
    }

    synchronized void release(ClassLoader loader, Kryo kryo) {
        kryo.reset();
        idle.computeIfAbsent(loader, l -> new ArrayDeque<>()).push(kryo);
    }

    synchronized void clear() {
        idle.clear();
        prepared = null;
        preparedFor = null;
    }
}
