package io.stasis.kryo;

import io.stasis.kryo.schema.FormerNames;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The application classes a root's fields can hold by their declared types: field types, type
 * arguments, bounds, array components and sealed subclasses, transitively, outside the JDK; and the
 * former names of those classes. Computed once per root class.
 */
record ReachableTypes(Set<String> names, Map<String, Class<?>> formerNames) {

    private static final ClassValue<ReachableTypes> CACHE = new ClassValue<>() {
        @Override
        protected ReachableTypes computeValue(Class<?> root) {
            return walk(root);
        }
    };

    static ReachableTypes of(Class<?> root) {
        return CACHE.get(root);
    }

    private static ReachableTypes walk(Class<?> root) {
        Set<Class<?>> seen = new HashSet<>();
        Set<TypeVariable<?>> variables = new HashSet<>();
        Map<String, Class<?>> former = new HashMap<>();
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
            } else if (next instanceof TypeVariable<?> variable) {
                if (variables.add(variable)) {
                    pending.addAll(List.of(variable.getBounds()));
                }
            } else if (next instanceof Class<?> type) {
                if (type.isArray()) {
                    pending.push(type.getComponentType());
                } else if (!type.isPrimitive() && !isJdk(type) && seen.add(type)) {
                    for (String old : FormerNames.of(type)) {
                        former.putIfAbsent(old, type);
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
        Set<String> names = new HashSet<>();
        seen.forEach(type -> names.add(type.getName()));
        return new ReachableTypes(Set.copyOf(names), Map.copyOf(former));
    }

    private static boolean isJdk(Class<?> type) {
        String name = type.getName();
        return name.startsWith("java.") || name.startsWith("javax.") || name.startsWith("jdk.") || name.startsWith("sun.");
    }
}
