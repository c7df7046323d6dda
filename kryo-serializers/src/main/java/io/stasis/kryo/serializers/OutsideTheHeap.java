package io.stasis.kryo.serializers;

import com.esotericsoftware.kryo.Kryo;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Reader;
import java.io.Writer;
import java.net.DatagramSocket;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URL;
import java.nio.channels.Channel;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The types a snapshot refuses, each with the reason the error gives: their instances stand for
 * threads, connections, open files or code, which a heap snapshot cannot carry into the next run;
 * or, for {@link URL}, restoring them would reach the network. Refused when written, and when read
 * from bytes that hold one anyway, before an instance exists.
 */
public final class OutsideTheHeap {

    private static final String HOW_TO = "; mark the field transient, or keep it out of @Checkpointed state";

    private OutsideTheHeap() {
    }

    public static void addTo(Kryo kryo) {
        refuse(kryo, Thread.class, "a thread cannot be resumed from a snapshot");
        refuse(kryo, ThreadGroup.class, "threads cannot be resumed from a snapshot");
        refuse(kryo, ClassLoader.class, "a class loader is code, not state");
        refuse(kryo, InputStream.class, "an open stream");
        refuse(kryo, OutputStream.class, "an open stream");
        refuse(kryo, Reader.class, "an open reader");
        refuse(kryo, Writer.class, "an open writer");
        refuse(kryo, Channel.class, "an open channel");
        refuse(kryo, Socket.class, "an open network connection");
        refuse(kryo, ServerSocket.class, "a listening network socket");
        refuse(kryo, DatagramSocket.class, "an open network socket");
        refuse(kryo, ExecutorService.class, "an executor owns threads");
        refuse(kryo, Process.class, "a running operating-system process");
        refuseIfPresent(kryo, "java.sql.Connection", "an open database connection");
        refuseIfPresent(kryo, "java.sql.Statement", "a database statement bound to a connection");
        refuseIfPresent(kryo, "java.sql.ResultSet", "a database cursor bound to a connection");
        kryo.addDefaultSerializer(ReentrantLock.class, new LockSerializers.ReentrantLockSerializer());
        kryo.addDefaultSerializer(ReentrantReadWriteLock.class, new LockSerializers.ReentrantReadWriteLockSerializer());
        refuse(kryo, Lock.class, "a lock whose state cannot be read");
        refuse(kryo, ReadWriteLock.class, "a lock whose state cannot be read");
        // Not outside the heap, but its hashCode and equals resolve the host name: a restore that
        // put one in a HashSet would wait on DNS, and crafted bytes could make it ask any name.
        kryo.addDefaultSerializer(URL.class, new RefusingSerializer("it resolves its host name whenever it is hashed"
                + " or compared; keep a java.net.URI instead (url.toURI()), or mark the field transient"));
    }

    private static void refuse(Kryo kryo, Class<?> type, String reason) {
        kryo.addDefaultSerializer(type, new RefusingSerializer(reason + HOW_TO));
    }

    private static void refuseIfPresent(Kryo kryo, String typeName, String reason) {
        try {
            refuse(kryo, Class.forName(typeName, false, OutsideTheHeap.class.getClassLoader()), reason);
        } catch (ClassNotFoundException absent) {
            // a runtime without java.sql has no such objects to refuse
        }
    }
}
