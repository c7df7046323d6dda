package io.stasis.api;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Identifies an instance across runs: the annotated field, or no-argument method, yields a String,
 * a number or an enum constant that is the same for "the same" object in the next run.
 *
 * <p>It must be set by the time the constructor completes. Without a key, a class with
 * {@link Checkpointed} instance fields is a singleton, and a second live instance is reported as an
 * error when a checkpoint is taken.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.FIELD, ElementType.METHOD})
public @interface CheckpointKey {
}
