package io.stasis.kryo.serializers;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Any {@link Throwable}: class, detail message, stack trace, cause, suppressed exceptions and the
 * fields of its own subclasses (an application's exception with fields of its own).
 *
 * <ul>
 *   <li>The detail message is Throwable's own field, read through its serial form, not
 *       {@code getMessage()} (which subclasses override to add to it).</li>
 *   <li>The stack trace is kept in the JDK's serial form of {@link StackTraceElement}, which alone
 *       keeps how each frame prints ({@code app//}, module versions).</li>
 *   <li>The copy is created as Java serialization would, without running the subclass's
 *       constructors, and registered before its cause, suppressed exceptions and fields are read:
 *       cycles through an exception (a field that refers to an object that refers back) are kept.
 *       Subclass fields are written by name, not transient ones; a field that no longer exists
 *       is skipped on read.</li>
 *   <li>A JDK exception with private fields of its own ({@code FileSystemException},
 *       {@code DateTimeParseException}, ...), or a subclass whose fields are in a package not open
 *       to this module, is written in its serial form ({@link SerialFormSerializer}) instead.</li>
 * </ul>
 *
 * <p>Two construction details are not kept: whether suppression was disabled and whether the stack
 * trace was writable (both only matter for later calls to {@code addSuppressed} and
 * {@code setStackTrace}); the restored exception allows both.
 */
public final class ThrowableSerializer extends Serializer<Throwable> {

    private static final int STRUCTURED = 0;
    private static final int SERIAL_FORM = 1;

    private static final Object REFLECTION_FACTORY;
    private static final Method NEW_CONSTRUCTOR_FOR_SERIALIZATION;

    static {
        Object factory = null;
        Method method = null;
        try {
            Class<?> type = Class.forName("sun.reflect.ReflectionFactory");
            factory = type.getMethod("getReflectionFactory").invoke(null);
            method = type.getMethod("newConstructorForSerialization", Class.class, Constructor.class);
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            factory = null;
            method = null;
        }
        REFLECTION_FACTORY = factory;
        NEW_CONSTRUCTOR_FOR_SERIALIZATION = method;
    }

    private final Map<Class<?>, Plan> plans = new HashMap<>();
    private final SerialFormSerializer<Throwable> serialForm = new SerialFormSerializer<>();

    /** How one class is written: its constructor and the fields of its subclasses, or null for the serial form. */
    private record Plan(Constructor<?> constructor, List<ClassFields> fields) {
    }

    private record ClassFields(Class<?> type, Field[] fields) {
    }

    @Override
    public void write(Kryo kryo, Output output, Throwable throwable) {
        Plan plan = plan(throwable.getClass());
        if (plan == null) {
            output.writeByte(SERIAL_FORM);
            serialForm.write(kryo, output, throwable);
            return;
        }
        output.writeByte(STRUCTURED);
        output.writeString(SerialForm.detailMessage(throwable));
        byte[] trace = SerialForm.toBytes(throwable.getStackTrace());
        output.writeVarInt(trace.length, true);
        output.writeBytes(trace);
        kryo.writeClassAndObject(output, throwable.getCause());
        Throwable[] suppressed = throwable.getSuppressed();
        output.writeVarInt(suppressed.length, true);
        for (Throwable each : suppressed) {
            kryo.writeClassAndObject(output, each);
        }
        for (ClassFields declared : plan.fields) {
            output.writeString(declared.type.getName());
            output.writeVarInt(declared.fields.length, true);
            for (Field field : declared.fields) {
                output.writeString(field.getName());
                try {
                    kryo.writeClassAndObject(output, field.get(throwable));
                } catch (IllegalAccessException e) {
                    throw new KryoException("Cannot read " + field + ": " + e, e);
                }
            }
        }
        output.writeString(null);
    }

    @Override
    public Throwable read(Kryo kryo, Input input, Class<? extends Throwable> type) {
        if (input.readByte() == SERIAL_FORM) {
            return serialForm.read(kryo, input, type);
        }
        Plan plan = plan(type);
        if (plan == null) {
            throw new KryoException("Cannot create " + type.getName() + " without its constructors on this JVM");
        }
        String message = input.readString();
        Throwable throwable;
        try {
            throwable = (Throwable) plan.constructor.newInstance(message);
        } catch (ReflectiveOperationException e) {
            throw new KryoException("Cannot create " + type.getName() + ": " + e, e);
        }
        kryo.reference(throwable);
        throwable.setStackTrace((StackTraceElement[]) SerialForm.fromBytes(input.readBytes(input.readVarInt(true))));
        Throwable cause = (Throwable) kryo.readClassAndObject(input);
        if (cause != null) {
            throwable.initCause(cause);
        }
        for (int i = input.readVarInt(true); i > 0; i--) {
            throwable.addSuppressed((Throwable) kryo.readClassAndObject(input));
        }
        for (String className = input.readString(); className != null; className = input.readString()) {
            for (int i = input.readVarInt(true); i > 0; i--) {
                String name = input.readString();
                Object value = kryo.readClassAndObject(input);
                Field field = find(plan, className, name);
                if (field != null) {
                    try {
                        field.set(throwable, value);
                    } catch (IllegalAccessException | IllegalArgumentException e) {
                        throw new KryoException("Cannot restore " + className + "." + name + " of " + type.getName()
                                + " from a " + (value == null ? "null" : value.getClass().getName()) + ": " + e, e);
                    }
                }
            }
        }
        return throwable;
    }

    private static Field find(Plan plan, String className, String name) {
        for (ClassFields declared : plan.fields) {
            if (declared.type.getName().equals(className)) {
                for (Field field : declared.fields) {
                    if (field.getName().equals(name)) {
                        return field;
                    }
                }
            }
        }
        return null;
    }

    /** The plan for {@code type}, or null when it is written in its serial form. */
    private Plan plan(Class<?> type) {
        Plan plan = plans.computeIfAbsent(type, ThrowableSerializer::makePlan);
        return plan == IN_SERIAL_FORM ? null : plan;
    }

    private static final Plan IN_SERIAL_FORM = new Plan(null, List.of());

    private static Plan makePlan(Class<?> type) {
        Plan plan = makePlanOrNull(type);
        return plan == null ? IN_SERIAL_FORM : plan;
    }

    private static Plan makePlanOrNull(Class<?> type) {
        if (NEW_CONSTRUCTOR_FOR_SERIALIZATION == null) {
            return null;
        }
        List<ClassFields> fields = new ArrayList<>();
        for (Class<?> c = type; c != Throwable.class; c = c.getSuperclass()) {
            if (declares(c, "writeReplace")) {
                return null;
            }
            List<Field> own = new ArrayList<>();
            for (Field field : c.getDeclaredFields()) {
                int modifiers = field.getModifiers();
                if (!Modifier.isStatic(modifiers) && !Modifier.isTransient(modifiers)) {
                    own.add(field);
                }
            }
            if (own.isEmpty()) {
                continue;
            }
            if (!c.getModule().isOpen(c.getPackageName(), ThrowableSerializer.class.getModule())) {
                return null;
            }
            for (Field field : own) {
                if (!field.trySetAccessible()) {
                    return null;
                }
            }
            fields.add(0, new ClassFields(c, own.toArray(new Field[0])));
        }
        try {
            Constructor<?> constructor = (Constructor<?>) NEW_CONSTRUCTOR_FOR_SERIALIZATION.invoke(REFLECTION_FACTORY, type,
                    Throwable.class.getConstructor(String.class));
            if (constructor == null || (!constructor.canAccess(null) && !constructor.trySetAccessible())) {
                return null;
            }
            return new Plan(constructor, fields);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    private static boolean declares(Class<?> type, String method) {
        for (Method declared : type.getDeclaredMethods()) {
            if (declared.getName().equals(method) && declared.getParameterCount() == 0) {
                return true;
            }
        }
        return false;
    }
}
