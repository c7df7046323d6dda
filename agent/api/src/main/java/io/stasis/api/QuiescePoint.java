package io.stasis.api;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a method as a unit of work. A snapshot is cut only when no thread is inside an outermost
 * {@code @QuiescePoint} method; a thread that tries to enter one while a cut is being taken waits
 * until the cut is released. Nested and recursive calls on the same thread never wait.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface QuiescePoint {
}
