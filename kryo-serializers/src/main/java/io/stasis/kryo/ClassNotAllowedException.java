package io.stasis.kryo;

import com.esotericsoftware.kryo.KryoException;

/**
 * A snapshot names a class outside its {@link AllowedClasses}: refused before the class is loaded
 * when reading, and before anything of it is written when writing.
 */
public final class ClassNotAllowedException extends KryoException {
    private static final long serialVersionUID = 1L;

    private final String className;

    ClassNotAllowedException(String className) {
        super("class " + className + " is not allowed in a snapshot: it is not reachable from the declared types"
                + " of the root's fields, not a supported JDK type, and not in an allowed package");
        this.className = className;
    }

    /** The binary name of the class refused. */
    public String className() {
        return className;
    }

    /** The pattern that allows the refused class's package, such as {@code com.acme.model.*}. */
    public String packagePattern() {
        String element = className.replaceFirst("^\\[+L(.*);$", "$1");
        int dot = element.lastIndexOf('.');
        return dot < 0 ? element : element.substring(0, dot) + ".*";
    }
}
