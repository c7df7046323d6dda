package io.stasis.agent.internal.state;

import io.stasis.agent.internal.Log;
import io.stasis.agent.internal.config.MemberPattern;
import java.lang.reflect.AccessibleObject;
import java.lang.reflect.Field;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one class owns of checkpointed state, found once by reflection: its static fields, the
 * instance fields of it and its superclasses, and how to read an instance's key.
 */
public final class OwnerType {

    private final Class<?> type;
    private final Map<String, Field> staticFields;
    private final Map<String, Field> instanceFields;
    private final AccessibleObject key;

    private OwnerType(Class<?> type, Map<String, Field> staticFields, Map<String, Field> instanceFields,
                      AccessibleObject key) {
        this.type = type;
        this.staticFields = staticFields;
        this.instanceFields = instanceFields;
        this.key = key;
    }

    static OwnerType of(Class<?> type, List<MemberPattern> fieldPatterns) {
        Map<String, Field> statics = new LinkedHashMap<>();
        DeclaredMarks typeMarks = DeclaredMarks.of(type);
        for (Field field : sorted(type.getDeclaredFields())) {
            if (Modifier.isStatic(field.getModifiers()) && isCheckpointed(field, typeMarks, fieldPatterns)) {
                statics.put(field.getName(), field);
            }
        }
        List<Field> instance = new ArrayList<>();
        AccessibleObject key = null;
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            DeclaredMarks marks = DeclaredMarks.of(c);
            for (Field field : sorted(c.getDeclaredFields())) {
                if (!Modifier.isStatic(field.getModifiers()) && isCheckpointed(field, marks, fieldPatterns)) {
                    instance.add(field);
                }
                if (key == null && !Modifier.isStatic(field.getModifiers())
                        && marked(field, marks, Annotations.CHECKPOINT_KEY)) {
                    key = accessible(field);
                }
            }
            for (Method method : c.getDeclaredMethods()) {
                if (key == null && method.getParameterCount() == 0 && !Modifier.isStatic(method.getModifiers())
                        && marked(method, marks, Annotations.CHECKPOINT_KEY)) {
                    key = accessible(method);
                }
            }
        }
        return new OwnerType(type, statics, names(instance), key);
    }

    public Class<?> type() {
        return type;
    }

    public boolean hasStaticState() {
        return !staticFields.isEmpty();
    }

    public boolean hasInstanceState() {
        return !instanceFields.isEmpty();
    }

    public boolean isKeyed() {
        return key != null;
    }

    /** Static fields by the name they are stored under. */
    public Map<String, Field> staticFields() {
        return staticFields;
    }

    /** Instance fields by the name they are stored under (qualified when a superclass's is hidden). */
    public Map<String, Field> instanceFields() {
        return instanceFields;
    }

    /** The instance's key as stored: a String, a number's decimal form, or an enum constant's name. */
    public String keyOf(Object instance) throws ReflectiveOperationException {
        if (key == null) {
            return null;
        }
        Object value = key instanceof Field field ? field.get(instance) : ((Method) key).invoke(instance);
        if (value == null) {
            throw new IllegalStateException("@CheckpointKey " + describe((Member) key) + " is null");
        }
        return value instanceof Enum<?> constant ? constant.name() : String.valueOf(value);
    }

    private static boolean isCheckpointed(Field field, DeclaredMarks marks, List<MemberPattern> patterns) {
        boolean marked = marked(field, marks, Annotations.CHECKPOINTED)
                || patterns.stream().anyMatch(p -> p.matches(field.getDeclaringClass().getName(), field.getName()));
        if (marked && Modifier.isFinal(field.getModifiers())) {
            Log.warn("ignoring " + describe(field) + ": final fields cannot be checkpointed");
            return false;
        }
        if (marked && !field.trySetAccessible()) {
            Log.warn("ignoring " + describe(field) + ": its module does not open "
                    + field.getDeclaringClass().getPackageName() + " to the agent");
            return false;
        }
        return marked;
    }

    /**
     * Whether the member carries the annotation: as its class file said when the instrumentation read
     * it, or else by reflection ({@link DeclaredMarks}).
     */
    private static <M extends AccessibleObject & Member> boolean marked(M member, DeclaredMarks marks, String annotation) {
        return marks != null ? marks.marks(member, annotation) : Annotations.has(member, annotation);
    }

    private static Map<String, Field> names(List<Field> fields) {
        Set<String> seen = new HashSet<>();
        Set<String> hidden = new HashSet<>();
        for (Field field : fields) {
            if (!seen.add(field.getName())) {
                hidden.add(field.getName());
            }
        }
        Map<String, Field> named = new LinkedHashMap<>();
        for (Field field : fields) {
            String name = hidden.contains(field.getName())
                    ? field.getDeclaringClass().getName() + "." + field.getName() : field.getName();
            named.put(name, field);
        }
        return named;
    }

    private static <T extends AccessibleObject> T accessible(T member) {
        member.setAccessible(true);
        return member;
    }

    private static Field[] sorted(Field[] fields) {
        Field[] copy = fields.clone();
        java.util.Arrays.sort(copy, Comparator.comparing(Field::getName));
        return copy;
    }

    static String describe(Member member) {
        return member.getDeclaringClass().getName() + "." + member.getName();
    }
}
