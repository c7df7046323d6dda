package io.stasis.kryo.serializers;

import com.esotericsoftware.kryo.KryoException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * Reads state of JDK objects that no public method exposes, through the JDK's own serialization
 * (which needs no {@code --add-opens} and no {@code sun.misc.Unsafe}): an {@link ObjectOutputStream}
 * with {@code replaceObject} sees every object a JDK class writes as its serial form, in the order
 * the serialization specification fixes, without the stream having to write them.
 */
final class SerialForm {

    private SerialForm() {
    }

    /**
     * The objects {@code object}'s serial form refers to directly, in stream order, each once; null
     * fields, primitives, {@link Class} values and references back to {@code object} itself are not
     * reported. Nothing is serialized below the first level.
     */
    static List<Object> references(Object object) {
        Capture capture = CAPTURE.get();
        try {
            capture.writeObject(object);
            List<Object> captured = new ArrayList<>(capture.captured);
            capture.clear();
            return captured;
        } catch (IOException | RuntimeException e) {
            CAPTURE.remove(); // its state is unknown now
            throw new KryoException("Cannot read the serial form of " + object.getClass().getName() + ": " + e, e);
        }
    }

    /** One capturing stream per thread, reset between uses (making one costs more than the capture). */
    private static final ThreadLocal<Capture> CAPTURE = ThreadLocal.withInitial(() -> {
        try {
            return new Capture();
        } catch (IOException e) {
            throw new KryoException(e);
        }
    });

    /**
     * Whether a {@link LinkedHashMap} (of exactly that class) iterates in access order. No public
     * method tells, and a {@code get} on the map itself would reorder it; so a copy is made
     * ({@code clone()} keeps the order mode) and a {@code get} on the copy shows whether the key
     * it read moved to the end. The copy costs time and memory in proportion to the map (less than
     * reading its serial form, which holds the flag after all entries).
     */
    @SuppressWarnings("unchecked")
    static boolean accessOrder(LinkedHashMap<?, ?> map) {
        if (map.getClass() != LinkedHashMap.class) {
            throw new IllegalArgumentException("only for java.util.LinkedHashMap itself: " + map.getClass().getName());
        }
        LinkedHashMap<Object, Object> copy = (LinkedHashMap<Object, Object>) map.clone();
        copy.put(new Object(), Boolean.TRUE); // at least two entries
        copy.put(new Object(), Boolean.TRUE);
        Object first = copy.keySet().iterator().next();
        copy.get(first);
        return copy.keySet().iterator().next() != first;
    }

    /**
     * The key type of an {@link EnumMap}, also when it is empty (read back from its serial form,
     * resolving the enum's name with {@code loader}).
     */
    static Class<?> enumMapKeyType(EnumMap<?, ?> map, ClassLoader loader) {
        if (!map.isEmpty()) {
            return ((Enum<?>) map.keySet().iterator().next()).getDeclaringClass();
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(map);
        } catch (IOException e) {
            throw new KryoException("Cannot read the key type of an empty EnumMap: " + e, e);
        }
        Class<?>[] keyType = new Class<?>[1];
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray())) {
            @Override
            protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
                Class<?> resolved = resolve(desc.getName(), loader);
                if (keyType[0] == null && resolved.isEnum()) {
                    keyType[0] = resolved;
                }
                return resolved;
            }
        }) {
            in.readObject();
        } catch (IOException | ClassNotFoundException e) {
            throw new KryoException("Cannot read the key type of an empty EnumMap: " + e, e);
        }
        if (keyType[0] == null) {
            throw new KryoException("Cannot read the key type of an empty EnumMap");
        }
        return keyType[0];
    }

    /**
     * {@link Throwable}'s own {@code detailMessage}, which {@code getMessage()} may hide behind an
     * override. Throwable's fields come first in its serial form, sorted by name ({@code cause},
     * {@code detailMessage}, {@code stackTrace}, ...): the detail message is the only String met
     * before the stack trace array, which is always written.
     */
    static String detailMessage(Throwable throwable) {
        Capture capture;
        try {
            capture = new Capture() {
                @Override
                protected Object replaceObject(Object obj) throws IOException {
                    if (top) {
                        top = false;
                        return obj;
                    }
                    if (obj instanceof StackTraceElement[]) {
                        throw new Done();
                    }
                    if (obj instanceof String) {
                        captured.add(obj);
                    }
                    return null;
                }
            };
        } catch (IOException e) {
            throw new KryoException(e);
        }
        try (capture) {
            capture.writeObject(throwable);
        } catch (Done done) {
            return capture.captured.isEmpty() ? null : (String) capture.captured.get(0);
        } catch (IOException e) {
            throw new KryoException("Cannot read the detail message of " + throwable.getClass().getName() + ": " + e, e);
        }
        throw new KryoException("Unexpected serial form of " + throwable.getClass().getName() + " (no stack trace)");
    }

    /** Plain JDK data (no application classes) as Java serialization bytes. */
    static byte[] toBytes(Object value) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(512);
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        } catch (IOException e) {
            throw new KryoException("Cannot serialize " + value.getClass().getName() + ": " + e, e);
        }
        return bytes.toByteArray();
    }

    /** Reads what {@link #toBytes} wrote, accepting JDK classes only. */
    static Object fromBytes(byte[] bytes) {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
            in.setObjectInputFilter(info -> (info.serialClass() == null || isJdk(info.serialClass()))
                    && withinBounds(info, bytes.length)
                    ? java.io.ObjectInputFilter.Status.UNDECIDED : java.io.ObjectInputFilter.Status.REJECTED);
            return in.readObject();
        } catch (IOException | ClassNotFoundException e) {
            throw new KryoException("Cannot read serialized JDK data: " + e, e);
        }
    }

    /**
     * Damaged bytes must not become bombs: no deeper nesting, larger arrays or more objects than a
     * serial form of {@code length} bytes could describe.
     */
    static boolean withinBounds(java.io.ObjectInputFilter.FilterInfo info, int length) {
        return info.depth() <= MAX_DEPTH && info.references() <= length && info.arrayLength() <= length;
    }

    private static final int MAX_DEPTH = 64;

    /** Whether {@code type} (or an array's element type) is defined by the JDK (boot or platform loader). */
    static boolean isJdk(Class<?> type) {
        while (type.isArray()) {
            type = type.getComponentType();
        }
        if (type.isPrimitive()) {
            return true;
        }
        ClassLoader loader = type.getClassLoader();
        return loader == null || loader == ClassLoader.getPlatformClassLoader();
    }

    /** Whether {@code type} declares {@code readResolve} or {@code writeReplace} (below Object). */
    static boolean replacesItself(Class<?> type) {
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (java.lang.reflect.Method method : c.getDeclaredMethods()) {
                if ((method.getName().equals("readResolve") || method.getName().equals("writeReplace"))
                        && method.getParameterCount() == 0) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Resolves a class named in a serial form: with {@code loader} first, then with this module's own. */
    static Class<?> resolve(String name, ClassLoader loader) throws ClassNotFoundException {
        try {
            return Class.forName(name, false, loader);
        } catch (ClassNotFoundException e) {
            return Class.forName(name, false, SerialForm.class.getClassLoader());
        }
    }

    /** Thrown from {@code replaceObject} to stop a capture early. */
    static final class Done extends IOException {
        private static final long serialVersionUID = 1L;

        Done() {
            super(null, null);
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }

    private static class Capture extends ObjectOutputStream {
        final List<Object> captured = new ArrayList<>(4);
        boolean top = true;

        void clear() throws IOException {
            reset();
            captured.clear();
            top = true;
        }

        Capture() throws IOException {
            super(OutputStream.nullOutputStream());
            enableReplaceObject(true);
        }

        /** The stream is discarded: skip writing class descriptors, which costs more than the rest. */
        @Override
        protected void writeClassDescriptor(ObjectStreamClass desc) {
        }

        @Override
        protected Object replaceObject(Object obj) throws IOException {
            if (top) {
                top = false;
                return obj;
            }
            captured.add(obj);
            return null;
        }
    }

}
