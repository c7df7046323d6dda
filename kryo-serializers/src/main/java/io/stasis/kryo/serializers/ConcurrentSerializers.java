package io.stasis.kryo.serializers;

import io.stasis.kryo.Limits;
import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.PriorityBlockingQueue;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * java.util.concurrent collections whose stock Kryo form breaks: bounded queues lose their capacity
 * (or cannot be read at all), sorted ones their comparator, {@link ConcurrentHashMap}'s views cannot
 * be read. Each registers the new container before reading its contents.
 */
public final class ConcurrentSerializers {

    private ConcurrentSerializers() {
    }

    /** {@link ArrayBlockingQueue} with its capacity and lock fairness. */
    public static final class ArrayBlockingQueueSerializer extends Serializer<ArrayBlockingQueue<?>> {
        @Override
        public void write(Kryo kryo, Output output, ArrayBlockingQueue<?> queue) {
            boolean fair = false;
            for (Object field : SerialForm.references(queue)) {
                if (field instanceof ReentrantLock lock) {
                    fair = lock.isFair();
                }
            }
            int capacity = queue.size() + queue.remainingCapacity();
            if (Limits.writableCapacity(capacity, queue.size()) != capacity) {
                throw new KryoException("an ArrayBlockingQueue's capacity of " + capacity + " is beyond the limit of "
                        + Limits.MAX_CAPACITY + " (more than its elements)");
            }
            output.writeVarInt(capacity, true);
            output.writeBoolean(fair);
            Shells.writeElements(kryo, output, List.of(queue.toArray()));
        }

        @Override
        public ArrayBlockingQueue<?> read(Kryo kryo, Input input, Class<? extends ArrayBlockingQueue<?>> type) {
            int capacity = Limits.capacity(input, input.readVarInt(true));
            ArrayBlockingQueue<Object> queue = new ArrayBlockingQueue<>(capacity, input.readBoolean());
            kryo.reference(queue);
            Shells.readElements(kryo, input, queue);
            return queue;
        }
    }

    /** {@link LinkedBlockingQueue} with its capacity. */
    public static final class LinkedBlockingQueueSerializer extends Serializer<LinkedBlockingQueue<?>> {
        @Override
        public void write(Kryo kryo, Output output, LinkedBlockingQueue<?> queue) {
            output.writeVarInt(queue.size() + queue.remainingCapacity(), true);
            Shells.writeElements(kryo, output, List.of(queue.toArray()));
        }

        @Override
        public LinkedBlockingQueue<?> read(Kryo kryo, Input input, Class<? extends LinkedBlockingQueue<?>> type) {
            LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>(input.readVarInt(true));
            kryo.reference(queue);
            Shells.readElements(kryo, input, queue);
            return queue;
        }
    }

    /** {@link LinkedBlockingDeque} with its capacity. */
    public static final class LinkedBlockingDequeSerializer extends Serializer<LinkedBlockingDeque<?>> {
        @Override
        public void write(Kryo kryo, Output output, LinkedBlockingDeque<?> deque) {
            output.writeVarInt(deque.size() + deque.remainingCapacity(), true);
            Shells.writeElements(kryo, output, List.of(deque.toArray()));
        }

        @Override
        public LinkedBlockingDeque<?> read(Kryo kryo, Input input, Class<? extends LinkedBlockingDeque<?>> type) {
            LinkedBlockingDeque<Object> deque = new LinkedBlockingDeque<>(input.readVarInt(true));
            kryo.reference(deque);
            Shells.readElements(kryo, input, deque);
            return deque;
        }
    }

    /** {@link PriorityBlockingQueue} with its comparator (stock Kryo drops it). */
    public static final class PriorityBlockingQueueSerializer extends Serializer<PriorityBlockingQueue<?>> {
        @Override
        public void write(Kryo kryo, Output output, PriorityBlockingQueue<?> queue) {
            kryo.writeClassAndObject(output, queue.comparator());
            Shells.writeElements(kryo, output, List.of(queue.toArray()));
        }

        @Override
        @SuppressWarnings("unchecked")
        public PriorityBlockingQueue<?> read(Kryo kryo, Input input, Class<? extends PriorityBlockingQueue<?>> type) {
            Comparator<Object> comparator = (Comparator<Object>) kryo.readClassAndObject(input);
            PriorityBlockingQueue<Object> queue = new PriorityBlockingQueue<>(11, comparator);
            kryo.reference(queue);
            Shells.readElements(kryo, input, queue);
            return queue;
        }
    }

    /** {@link ConcurrentSkipListSet} with its comparator (stock Kryo drops it). */
    public static final class ConcurrentSkipListSetSerializer extends Serializer<ConcurrentSkipListSet<?>> {
        @Override
        public void write(Kryo kryo, Output output, ConcurrentSkipListSet<?> set) {
            kryo.writeClassAndObject(output, set.comparator());
            Shells.writeElements(kryo, output, set);
        }

        @Override
        @SuppressWarnings("unchecked")
        public ConcurrentSkipListSet<?> read(Kryo kryo, Input input, Class<? extends ConcurrentSkipListSet<?>> type) {
            ConcurrentSkipListSet<Object> set = new ConcurrentSkipListSet<>((Comparator<Object>) kryo.readClassAndObject(input));
            kryo.reference(set);
            Shells.readElements(kryo, input, set);
            return set;
        }
    }

    /**
     * {@link ConcurrentHashMap}'s {@code values()} and {@code entrySet()} views: the backing map
     * (found through the view's serial form), shared with the rest of the graph, and the view made
     * over it again.
     */
    public static final class MapViewSerializer extends Serializer<Collection<?>> {
        private final Function<ConcurrentHashMap<Object, Object>, Collection<?>> view;

        public MapViewSerializer(Function<ConcurrentHashMap<Object, Object>, Collection<?>> view) {
            this.view = view;
        }

        @Override
        public void write(Kryo kryo, Output output, Collection<?> collection) {
            Shells.write(kryo, output, SerialForm.references(collection).get(0));
        }

        @Override
        @SuppressWarnings("unchecked")
        public Collection<?> read(Kryo kryo, Input input, Class<? extends Collection<?>> type) {
            return Shells.read(kryo, input, map -> view.apply((ConcurrentHashMap<Object, Object>) map));
        }
    }

    /**
     * {@link ConcurrentHashMap}'s key set views ({@code keySet()}, {@code keySet(defaultValue)},
     * {@code newKeySet()}): the value added keys map to, the backing map, shared with the rest of
     * the graph, and the view made over it again.
     */
    public static final class KeySetViewSerializer extends Serializer<ConcurrentHashMap.KeySetView<?, ?>> {
        @Override
        public void write(Kryo kryo, Output output, ConcurrentHashMap.KeySetView<?, ?> keys) {
            kryo.writeClassAndObject(output, keys.getMappedValue());
            Shells.write(kryo, output, keys.getMap());
        }

        @Override
        @SuppressWarnings("unchecked")
        public ConcurrentHashMap.KeySetView<?, ?> read(Kryo kryo, Input input,
                Class<? extends ConcurrentHashMap.KeySetView<?, ?>> type) {
            Object mappedValue = kryo.readClassAndObject(input);
            return Shells.read(kryo, input, map -> mappedValue == null
                    ? ((ConcurrentHashMap<Object, Object>) map).keySet()
                    : ((ConcurrentHashMap<Object, Object>) map).keySet(mappedValue));
        }
    }
}
