package io.stasis.kryo.schema;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.util.DefaultClassResolver;
import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.WildcardType;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Class names written by earlier versions of the application, resolved to the classes that now
 * carry them in {@code @RenamedFrom}. Build the Kryo with {@link #resolver()}; teach it the classes
 * a graph can hold with {@link #learnReachableFrom(Kryo, Class)}.
 */
public final class ClassRenames extends DefaultClassResolver {

    private static final String RENAMED_FROM = "io.stasis.api.RenamedFrom";

    private final Map<String, Class<?>> renamed = new HashMap<>();
    private final Set<Class<?>> learned = new HashSet<>();

    private ClassRenames() {
    }

    /** A class resolver for a new Kryo: {@code new Kryo(ClassRenames.resolver(), referenceResolver)}. */
    public static ClassRenames resolver() {
        return new ClassRenames();
    }

    /**
     * Learns the renamed classes reachable from {@code type}'s fields: their declared types, type
     * arguments and array components, transitively, outside the JDK.
     */
    public static void learnReachableFrom(Kryo kryo, Class<?> type) {
        if (kryo.getClassResolver() instanceof ClassRenames renames) {
            renames.learn(type);
        }
    }

    @Override
    protected Class<?> getTypeByName(String className) {
        Class<?> type = super.getTypeByName(className);
        return type != null ? type : renamed.get(className);
    }

    private void learn(Class<?> root) {
        Deque<Type> pending = new ArrayDeque<>(List.of(root));
        while (!pending.isEmpty()) {
            Type next = pending.pop();
            if (next instanceof ParameterizedType parameterized) {
                pending.push(parameterized.getRawType());
                pending.addAll(List.of(parameterized.getActualTypeArguments()));
            } else if (next instanceof GenericArrayType array) {
                pending.push(array.getGenericComponentType());
            } else if (next instanceof WildcardType wildcard) {
                pending.addAll(List.of(wildcard.getUpperBounds()));
            } else if (next instanceof Class<?> type) {
                if (type.isArray()) {
                    pending.push(type.getComponentType());
                } else if (!type.isPrimitive() && !isJdk(type) && learned.add(type)) {
                    for (String old : formerNames(type)) {
                        renamed.putIfAbsent(old, type);
                    }
                    for (Class<?> c = type; c != null && !isJdk(c); c = c.getSuperclass()) {
                        for (Field field : c.getDeclaredFields()) {
                            pending.push(field.getGenericType());
                        }
                    }
                    if (type.isSealed()) {
                        pending.addAll(List.of(type.getPermittedSubclasses()));
                    }
                }
            }
        }
    }

    private static boolean isJdk(Class<?> type) {
        String name = type.getName();
        return name.startsWith("java.") || name.startsWith("javax.") || name.startsWith("jdk.") || name.startsWith("sun.");
    }

    /** The names in the element's {@code @RenamedFrom}, found by name: the API may sit in any class loader. */
    static List<String> formerNames(AnnotatedElement element) {
        for (Annotation annotation : element.getDeclaredAnnotations()) {
            if (annotation.annotationType().getName().equals(RENAMED_FROM)) {
                try {
                    return List.of((String[]) annotation.annotationType().getMethod("value").invoke(annotation));
                } catch (ReflectiveOperationException e) {
                    return List.of();
                }
            }
        }
        return List.of();
    }
}
