package io.stasis.kryo;

import java.nio.charset.Charset;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TimeZone;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The classes a snapshot may name: checked by name before a class is loaded, when reading, and
 * when writing, so that a graph the reader would refuse is refused when it is written instead.
 *
 * <p>Allowed are the JDK value and collection types this module supports ({@link #jdk()}), the
 * classes reachable from the declared types of a root's fields ({@link #reachableFrom}), and
 * packages or classes named explicitly ({@link #packages}). A class outside them, such as an
 * implementation of an interface a field declares, must be allowed by package.
 *
 * <p>Instances are immutable; the {@code and...} methods return new ones.
 */
public final class AllowedClasses {

    private static final AllowedClasses JDK = new AllowedClasses(false, List.of(), Set.of(), Map.of());
    private static final AllowedClasses ANY = new AllowedClasses(true, List.of(), Set.of(), Map.of());

    /** Packages whose classes are all supported values, collections, atomics or time types. */
    private static final Set<String> JDK_PACKAGES = Set.of("java.util", "java.util.concurrent",
            "java.util.concurrent.atomic", "java.util.concurrent.locks", "java.util.regex", "java.math", "java.time",
            "java.time.chrono", "java.time.temporal", "java.time.zone", "java.time.format");
    private static final Set<String> JDK_CLASSES = Set.of("java.lang.Object", "java.lang.String", "java.lang.Boolean",
            "java.lang.Byte", "java.lang.Character", "java.lang.Short", "java.lang.Integer", "java.lang.Long",
            "java.lang.Float", "java.lang.Double", "java.lang.Number", "java.lang.Void", "java.lang.Class", "java.lang.StringBuilder",
            "java.lang.StringBuffer", "java.lang.StackTraceElement", "java.net.URI", "java.net.URL", "java.io.File");
    /**
     * JDK types allowed with their JDK subclasses (exceptions, enums, the JDK's own comparators, the
     * runtime classes of Path, Charset and TimeZone).
     */
    private static final List<Class<?>> JDK_SUPERTYPES = List.of(Throwable.class, Enum.class, Comparator.class,
            Path.class, Charset.class, TimeZone.class);
    private static final Map<String, Boolean> JDK_DECISIONS = new ConcurrentHashMap<>();

    private final boolean any;
    private final List<String> patterns;
    private final Set<String> reachable;
    private final Map<String, Class<?>> renamed;

    private AllowedClasses(boolean any, List<String> patterns, Set<String> reachable, Map<String, Class<?>> renamed) {
        this.any = any;
        this.patterns = patterns;
        this.reachable = reachable;
        this.renamed = renamed;
    }

    /** The JDK types this module supports, and nothing else. */
    public static AllowedClasses jdk() {
        return JDK;
    }

    /**
     * Every class, as stock Kryo does. Only for bytes that cannot have been tampered with: reading
     * creates objects of any class the bytes name.
     */
    public static AllowedClasses any() {
        return ANY;
    }

    /**
     * These and the classes matched by {@code patterns}: {@code com.acme.*} for a package and its
     * subpackages, or a class's binary name ({@code com.acme.Money}, {@code com.acme.Outer$Inner}).
     *
     * @throws IllegalArgumentException for a pattern that is neither
     */
    public AllowedClasses andPackages(Collection<String> patterns) {
        List<String> all = new ArrayList<>(this.patterns);
        for (String pattern : patterns) {
            String prefix = pattern.endsWith(".*") ? pattern.substring(0, pattern.length() - 1) : pattern;
            if (prefix.isEmpty() || prefix.startsWith(".") || prefix.contains("*") || prefix.contains("..")
                    || prefix.contains("/") || prefix.isBlank()) {
                throw new IllegalArgumentException("not a package pattern (com.acme.*) or class name: " + pattern);
            }
            all.add(pattern.endsWith(".*") ? prefix : pattern);
        }
        return new AllowedClasses(any, List.copyOf(all), reachable, renamed);
    }

    /**
     * These and the classes reachable from {@code root}'s fields: their declared types, type
     * arguments, array components and sealed subclasses, transitively; with the former names their
     * {@code @RenamedFrom} gives them.
     */
    public AllowedClasses andReachableFrom(Class<?> root) {
        ReachableTypes types = ReachableTypes.of(root);
        if (reachable.isEmpty() && renamed.isEmpty()) {
            return new AllowedClasses(any, patterns, types.names(), types.formerNames());
        }
        return new AllowedClasses(any, patterns, union(reachable, types.names()), union(renamed, types.formerNames()));
    }

    /** Whether a snapshot may name the class with this binary name ({@code [Lcom.acme.Money;} for arrays). */
    public boolean allows(String className) {
        if (any) {
            return true;
        }
        String name = elementName(className);
        if (name == null) {
            return true; // an array of primitives
        }
        if (reachable.contains(name) || renamed.containsKey(name) || isJdkType(name)) {
            return true;
        }
        for (String pattern : patterns) {
            if (pattern.endsWith(".") ? name.startsWith(pattern) : name.equals(pattern)) {
                return true;
            }
        }
        return false;
    }

    /** The reachable class that now carries a name an earlier version used, or null. */
    Class<?> renamedTo(String formerName) {
        return renamed.get(formerName);
    }

    /**
     * What {@code kryo} allows: set by {@link SnapshotKryo}; a Kryo made otherwise allows
     * {@linkplain #any() any} class. For serializers that name classes themselves.
     */
    public static AllowedClasses of(com.esotericsoftware.kryo.Kryo kryo) {
        return kryo.getClassResolver() instanceof AllowListClassResolver resolver ? resolver.allowed() : ANY;
    }

    /**
     * Refuses {@code className} unless allowed.
     *
     * @throws ClassNotAllowedException if it is not
     */
    public void require(String className) {
        if (!allows(className)) {
            throw new ClassNotAllowedException(className);
        }
    }

    /** The element type's name of an array type's binary name, or the name itself; null for primitives. */
    private static String elementName(String className) {
        int dimensions = 0;
        while (dimensions < className.length() && className.charAt(dimensions) == '[') {
            dimensions++;
        }
        if (dimensions == 0) {
            return className;
        }
        if (className.length() > dimensions + 2 && className.charAt(dimensions) == 'L' && className.endsWith(";")) {
            return className.substring(dimensions + 1, className.length() - 1);
        }
        boolean primitive = className.length() == dimensions + 1 && "ZBCSIJFD".indexOf(className.charAt(dimensions)) >= 0;
        return primitive ? null : className; // "[I", or a damaged name (refused as no class)
    }

    /**
     * By name for the supported packages and classes; otherwise, for a name in the JDK's own
     * namespaces, by the type's supertypes, looked up (without initialization) only among the
     * JDK's classes, never the application's.
     */
    private static boolean isJdkType(String name) {
        if (!name.startsWith("java.") && !name.startsWith("sun.nio.fs.") && !name.startsWith("sun.nio.cs.")
                && !name.startsWith("sun.util.calendar.")) {
            return false;
        }
        int dot = name.lastIndexOf('.');
        if (JDK_PACKAGES.contains(name.substring(0, dot)) && name.startsWith("java.") || JDK_CLASSES.contains(name)) {
            return true;
        }
        return JDK_DECISIONS.computeIfAbsent(name, AllowedClasses::hasSupportedJdkSupertype);
    }

    private static boolean hasSupportedJdkSupertype(String name) {
        try {
            Class<?> type = Class.forName(name, false, ClassLoader.getPlatformClassLoader());
            return JDK_SUPERTYPES.stream().anyMatch(supertype -> supertype.isAssignableFrom(type));
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new java.util.HashSet<>(a);
        all.addAll(b);
        return Set.copyOf(all);
    }

    private static Map<String, Class<?>> union(Map<String, Class<?>> a, Map<String, Class<?>> b) {
        Map<String, Class<?>> all = new java.util.HashMap<>(b);
        all.putAll(a);
        return Map.copyOf(all);
    }
}
