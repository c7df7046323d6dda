package io.stasis.api;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The names a field had in earlier versions of the application: a snapshot that stores the value
 * under an old name restores it into this field.
 *
 * <pre>
 * &#64;RenamedFrom("count") long total;
 * </pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface RenamedFrom {
    /** Earlier names, most recent first. */
    String[] value();
}
