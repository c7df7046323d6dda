package io.stasis.agent.internal.state;

import java.lang.reflect.Field;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * The members a class marks with the API's annotations, as the instrumentation read them from its
 * class file. {@link OwnerType} asks here before it asks reflection: the first annotation instance
 * a JVM makes costs 20 to 30 ms (the annotation types are parsed, proxy classes spun), on the thread
 * that initializes the application's first class with state, which then waits for its restore.
 * A class the instrumentation did not read is not here, and reflection answers for it.
 */
public final class DeclaredMarks {

    /** Per defining loader (held weakly), by class name; only classes that mark something. */
    private static final Map<ClassLoader, Map<String, DeclaredMarks>> BY_LOADER = new WeakHashMap<>();

    private final Map<String, Set<String>> membersByAnnotation;

    private DeclaredMarks(Map<String, Set<String>> membersByAnnotation) {
        this.membersByAnnotation = membersByAnnotation;
    }

    /**
     * Records what a class file marks, as it is loaded or retransformed.
     *
     * @param className           the class's binary name ({@code com.acme.Cart})
     * @param membersByAnnotation for an annotation's name ({@link Annotations}), the fields it marks
     *                            by name and the methods it marks by {@link #methodKey}
     */
    public static void record(ClassLoader loader, String className, Map<String, Set<String>> membersByAnnotation) {
        Map<String, Set<String>> copy = new HashMap<>();
        for (Map.Entry<String, Set<String>> entry : membersByAnnotation.entrySet()) {
            copy.put(entry.getKey(), Set.copyOf(entry.getValue()));
        }
        DeclaredMarks marks = new DeclaredMarks(Map.copyOf(copy));
        synchronized (BY_LOADER) {
            Map<String, DeclaredMarks> classes = BY_LOADER.get(loader);
            if (classes == null) {
                classes = new HashMap<>();
                BY_LOADER.put(loader, classes);
            }
            classes.put(className, marks);
        }
    }

    /** What {@code type}'s class file marks, or {@code null} when the instrumentation did not record it. */
    static DeclaredMarks of(Class<?> type) {
        synchronized (BY_LOADER) {
            Map<String, DeclaredMarks> classes = BY_LOADER.get(type.getClassLoader());
            return classes == null ? null : classes.get(type.getName());
        }
    }

    /** How a method is recorded: its name and its descriptor ({@code id()Ljava/lang/String;}). */
    public static String methodKey(String name, String descriptor) {
        return name + descriptor;
    }

    /** Whether {@code member} (a field, or a method without parameters) carries the annotation. */
    boolean marks(Member member, String annotation) {
        Set<String> members = membersByAnnotation.get(annotation);
        if (members == null) {
            return false;
        }
        if (member instanceof Field) {
            return members.contains(member.getName());
        }
        Method method = (Method) member;
        return method.getParameterCount() == 0
                && members.contains(methodKey(method.getName(), "()" + method.getReturnType().descriptorString()));
    }
}
