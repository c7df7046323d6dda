package io.stasis.kryo.serializers;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.stasis.kryo.AllowedClasses;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A JDK {@link Serializable} object through the JDK's own serial form, with every object it refers
 * to written by Kryo: for JDK classes whose state no public method exposes and whose fields Kryo
 * cannot reach without {@code --add-opens} (checked collections, sub-map views, {@code Clock.offset},
 * {@code LongAccumulator}, JDK exceptions with fields of their own, ...).
 *
 * <p>The object's own serial form is stored as Java serialization bytes in which each referenced
 * object is replaced by a token; the referenced objects follow, written by Kryo, so they keep their
 * identity within the graph (a collection shared with the rest of the graph stays shared) and need
 * not be {@link Serializable} themselves. Strings, boxed primitives, stack trace elements and the
 * serialization proxies of JDK values ({@code java.time}, {@code List.of}) stay inline.
 *
 * <p>Limit: an object the JDK rebuilds this way exists only once its whole serial form is read, so a
 * reference back to it from one of the objects it refers to (a cycle through it) reads back as
 * {@code null}. Costs: a few hundred bytes of class descriptors per object, and tens of
 * microseconds to read it; meant for the long tail of JDK types, not for bulk data.
 *
 * <p>Reading runs Java deserialization on the stored bytes, limited like the rest of a snapshot:
 * every class a form names is checked against the Kryo's {@link AllowedClasses} before it is
 * resolved (and when written), and a filter bounds nesting, array lengths and object counts.
 */
public class SerialFormSerializer<T> extends Serializer<T> {

    /** Optionally refuses (by throwing) a referenced object at write time. */
    @FunctionalInterface
    public interface ReferenceCheck {
        void check(Kryo kryo, Object owner, Object reference);
    }

    private final ReferenceCheck check;
    /** Classes named in serial forms, resolved once per class loader (Class.forName is slow). */
    private final Map<String, Class<?>> resolved = new HashMap<>();
    private ClassLoader resolvedWith;

    public SerialFormSerializer() {
        this(null);
    }

    public SerialFormSerializer(ReferenceCheck check) {
        this.check = check;
    }

    @Override
    public void write(Kryo kryo, Output output, T object) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        List<Object> references;
        try (Tokenizer out = new Tokenizer(bytes, AllowedClasses.of(kryo))) {
            out.writeObject(object);
            out.flush();
            references = out.references;
        } catch (IOException e) {
            throw new KryoException("Cannot write " + object.getClass().getName() + " in its serial form: " + e, e);
        }
        if (check != null) {
            for (Object reference : references) {
                check.check(kryo, object, reference);
            }
        }
        byte[] form = bytes.toByteArray();
        output.writeVarInt(form.length, true);
        output.writeBytes(form);
        output.writeVarInt(references.size(), true);
        for (Object reference : references) {
            kryo.writeClassAndObject(output, reference);
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public T read(Kryo kryo, Input input, Class<? extends T> type) {
        int length = input.readVarInt(true);
        if (length < 0 || length > input.limit() - input.position()) {
            throw new KryoException("a serial form claims " + length + " bytes, more than the input holds");
        }
        byte[] form = input.readBytes(length);
        int count = input.readVarInt(true);
        Object result;
        int[] read = {0};
        if (resolvedWith != kryo.getClassLoader()) {
            resolved.clear();
            resolvedWith = kryo.getClassLoader();
        }
        try (ObjectInputStream in = new Detokenizer(form, kryo, input, count, read, resolved)) {
            result = in.readObject();
        } catch (IOException | ClassNotFoundException e) {
            throw new KryoException("Cannot read " + type.getName() + " from its serial form: " + e, e);
        }
        while (read[0] < count) { // keep the stream aligned even if the form left a reference unused
            kryo.readClassAndObject(input);
            read[0]++;
        }
        return (T) result;
    }

    /** A placeholder for a referenced object in the serial form. */
    record Token(int index) implements Serializable {
    }

    private static final java.util.Set<String> VALUE_PROXIES = java.util.Set.of("java.time.Ser", "java.time.chrono.Ser",
            "java.time.zone.Ser", "java.util.ImmutableCollections$CollSer");

    private static final ClassValue<Boolean> INLINE = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
            if (type == String.class || type == StackTraceElement.class || type == StackTraceElement[].class
                    || type == Integer.class || type == Long.class || type == Short.class || type == Byte.class
                    || type == Character.class || type == Boolean.class || type == Float.class || type == Double.class) {
                return true;
            }
            // Serialization proxies of JDK values, which writeReplace already produced (the stream
            // calls writeReplace before replaceObject): they resolve themselves back to the value.
            // Any other object, including other proxies, goes to Kryo.
            return SerialForm.isJdk(type) && VALUE_PROXIES.contains(type.getName());
        }
    };

    private static final class Tokenizer extends ObjectOutputStream {
        final List<Object> references = new ArrayList<>();
        private final AllowedClasses allowed;
        private boolean top = true;

        Tokenizer(ByteArrayOutputStream out, AllowedClasses allowed) throws IOException {
            super(out);
            this.allowed = allowed;
            enableReplaceObject(true);
        }

        /** Every class the form describes must be one a reader will accept. */
        @Override
        protected void annotateClass(Class<?> type) {
            if (type != Token.class) {
                allowed.require(type.getName());
            }
        }

        @Override
        protected Object replaceObject(Object obj) {
            if (top) {
                top = false;
                return obj;
            }
            if (obj instanceof Token || INLINE.get(obj.getClass())) {
                return obj;
            }
            references.add(obj);
            return new Token(references.size() - 1);
        }
    }

    private static final class Detokenizer extends ObjectInputStream {
        private final Kryo kryo;
        private final Input input;
        private final int count;
        private final int[] read;
        private final Map<String, Class<?>> resolved;

        Detokenizer(byte[] form, Kryo kryo, Input input, int count, int[] read, Map<String, Class<?>> resolved)
                throws IOException {
            super(new ByteArrayInputStream(form));
            this.kryo = kryo;
            this.input = input;
            this.count = count;
            this.read = read;
            this.resolved = resolved;
            enableResolveObject(true);
            setObjectInputFilter(info -> SerialForm.withinBounds(info, form.length)
                    ? ObjectInputFilter.Status.UNDECIDED : ObjectInputFilter.Status.REJECTED);
        }

        @Override
        protected Object resolveObject(Object obj) throws IOException {
            if (!(obj instanceof Token token)) {
                return obj;
            }
            if (token.index() != read[0] || read[0] >= count) {
                throw new IOException("serial form refers to object " + token.index() + " out of order");
            }
            read[0]++;
            return kryo.readClassAndObject(input);
        }

        @Override
        protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
            if (desc.getName().endsWith("SerialFormSerializer$Token")) { // also when this package is relocated
                return Token.class;
            }
            AllowedClasses.of(kryo).require(desc.getName());
            Class<?> type = resolved.get(desc.getName());
            if (type == null) {
                type = SerialForm.resolve(desc.getName(), kryo.getClassLoader());
                resolved.put(desc.getName(), type);
            }
            return type;
        }
    }
}
