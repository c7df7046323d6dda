package io.stasis.api;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The names a field or class had in earlier versions of the application: a snapshot that stores a
 * value under an old name restores it into this field, or as an instance of this class.
 *
 * <pre>
 * &#64;RenamedFrom("count") long total;
 *
 * &#64;RenamedFrom("com.acme.Address")
 * public class Location { ... }
 * </pre>
 *
 * A renamed class is recognized when it can be reached from the declared types of the fields of
 * a checkpointed owner (field types, their type arguments and array components, transitively).
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.FIELD, ElementType.TYPE})
public @interface RenamedFrom {
    /** Earlier names (fully qualified for classes), most recent first. */
    String[] value();
}
