package io.stasis.kryo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Output;
import java.io.ByteArrayInputStream;
import java.net.Socket;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.junit.jupiter.api.Test;

class OutsideTheHeapTest {

    static final class Connection {
        String name = "db";
        Socket socket = new Socket();
    }

    static final class Pool {
        Map<String, Connection> connections = new HashMap<>();
        Connection primary = new Connection();
    }

    static final class Guarded {
        final ReentrantLock lock = new ReentrantLock(true);
        final ReentrantReadWriteLock rw = new ReentrantReadWriteLock();
        int value = 7;
    }

    private final Kryo kryo = TestKryo.create(getClass().getClassLoader());

    private GraphWriteException refused(Object... values) {
        return assertThrows(GraphWriteException.class, () -> ValueGraph.write(kryo, new Output(64, -1), List.of(values)));
    }

    @Test
    void refusesWhatLivesOutsideTheHeapWithThePathToIt() throws Exception {
        Pool pool = new Pool();
        try (Socket unused = pool.primary.socket) {
            GraphWriteException e = refused("fine", pool);
            assertEquals(1, e.index());
            assertEquals(List.of("OutsideTheHeapTest$Pool.primary", "OutsideTheHeapTest$Connection.socket"), e.path());
            assertTrue(e.reason().startsWith("java.net.Socket cannot be part of a snapshot: an open network connection"),
                    e.reason());
            assertTrue(e.getMessage().startsWith("OutsideTheHeapTest$Pool.primary → OutsideTheHeapTest$Connection.socket: java.net.Socket"), e.getMessage());
        }
    }

    @Test
    void refusesThreadsStreamsExecutorsAndClassLoaders() {
        var executor = Executors.newSingleThreadExecutor();
        try {
            for (Object value : List.of(new Thread(() -> { }), new ByteArrayInputStream(new byte[1]), executor,
                    getClass().getClassLoader())) {
                GraphWriteException e = refused(value);
                assertTrue(e.getCause() instanceof NotSnapshottableException, value + ": " + e);
            }
        } finally {
            executor.shutdown();
        }
    }

    @Test
    void freeLocksComeBackFreeAndHeldLocksAreRefused() {
        Guarded guarded = new Guarded();
        byte[] bytes = ValueGraph.write(kryo, new Output(64, -1), List.of(guarded));
        Guarded back = (Guarded) ValueGraph.read(TestKryo.create(getClass().getClassLoader()), bytes, 1).get(0);
        assertTrue(back.lock.isFair());
        assertFalse(back.lock.isLocked());
        assertEquals(7, back.value);

        guarded.lock.lock();
        try {
            GraphWriteException e = refused(guarded);
            assertEquals(List.of("OutsideTheHeapTest$Guarded.lock"), e.path());
            assertTrue(e.reason().contains("held by a thread at the cut"), e.reason());
        } finally {
            guarded.lock.unlock();
        }
    }
}
