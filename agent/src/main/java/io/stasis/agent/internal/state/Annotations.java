package io.stasis.agent.internal.state;

import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedElement;

/**
 * The public annotations, known by name: the application may load {@code stasis-api} in any class
 * loader (or several), and the agent does not carry a copy of its own.
 */
public final class Annotations {

    public static final String CHECKPOINTED = "io.stasis.api.Checkpointed";
    public static final String CHECKPOINT_KEY = "io.stasis.api.CheckpointKey";
    public static final String QUIESCE_POINT = "io.stasis.api.QuiescePoint";

    private Annotations() {
    }

    public static boolean has(AnnotatedElement element, String annotationName) {
        for (Annotation annotation : element.getDeclaredAnnotations()) {
            if (annotation.annotationType().getName().equals(annotationName)) {
                return true;
            }
        }
        return false;
    }
}
