package io.stasis.kryo.schema;

import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedElement;
import java.util.List;

/** The names an earlier version of the application gave a class or field, from {@code @RenamedFrom}. */
public final class FormerNames {

    private static final String RENAMED_FROM = "io.stasis.api.RenamedFrom";

    private FormerNames() {
    }

    /** The names in the element's {@code @RenamedFrom}, found by name: the API may sit in any class loader. */
    public static List<String> of(AnnotatedElement element) {
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
