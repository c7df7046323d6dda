package io.stasis.api;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a field whose value is part of every snapshot and is restored when the application starts
 * again.
 *
 * <p>Static fields are restored right after their class is initialized; instance fields right
 * after the instance's constructor has completed. The application's own initialization runs first
 * and is then overwritten by the restored value, so code needs no "if restored" branch.
 *
 * <p>A class with {@code @Checkpointed} instance fields is a singleton unless it names a
 * {@link CheckpointKey}. {@code final} fields cannot be checkpointed.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface Checkpointed {
}
