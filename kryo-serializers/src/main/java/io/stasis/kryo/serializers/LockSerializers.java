package io.stasis.kryo.serializers;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.stasis.kryo.NotSnapshottableException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Locks that guard state: restored as new, free locks with the same fairness. A lock that some
 * thread holds at the cut would come back free while its owner's work is lost, so it is refused.
 */
public final class LockSerializers {

    private LockSerializers() {
    }

    public static final class ReentrantLockSerializer extends Serializer<ReentrantLock> {
        @Override
        public void write(Kryo kryo, Output output, ReentrantLock lock) {
            if (lock.isLocked()) {
                throw new NotSnapshottableException(ReentrantLock.class, "it is held by a thread at the cut");
            }
            output.writeBoolean(lock.isFair());
        }

        @Override
        public ReentrantLock read(Kryo kryo, Input input, Class<? extends ReentrantLock> type) {
            return new ReentrantLock(input.readBoolean());
        }
    }

    public static final class ReentrantReadWriteLockSerializer extends Serializer<ReentrantReadWriteLock> {
        @Override
        public void write(Kryo kryo, Output output, ReentrantReadWriteLock lock) {
            if (lock.isWriteLocked() || lock.getReadLockCount() > 0) {
                throw new NotSnapshottableException(ReentrantReadWriteLock.class, "it is held by a thread at the cut");
            }
            output.writeBoolean(lock.isFair());
        }

        @Override
        public ReentrantReadWriteLock read(Kryo kryo, Input input, Class<? extends ReentrantReadWriteLock> type) {
            return new ReentrantReadWriteLock(input.readBoolean());
        }
    }
}
