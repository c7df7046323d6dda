package io.stasis.agent.cli;

import io.stasis.kryo.schema.StoredObject;
import java.io.File;
import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.time.ZoneId;
import java.time.temporal.TemporalAccessor;
import java.time.temporal.TemporalAmount;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Currency;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Pattern;

/**
 * Turns a value read from a snapshot into a {@link View}, within the limits. JDK value types are
 * shown by their own text; JDK collections, maps and arrays by their elements; application objects
 * by their fields (a {@link StoredObject}'s stored ones, or, when read with the application's
 * classes, the instance's fields by reflection). No method of an application class is called.
 */
final class Views {

    private final RenderLimits limits;
    /** The objects being shown, outermost first: a reference back to one is a cycle. */
    private final IdentityHashMap<Object, Boolean> path = new IdentityHashMap<>();

    private Views(RenderLimits limits) {
        this.limits = limits;
    }

    static View of(Object value, RenderLimits limits) {
        return new Views(limits).view(value, 0);
    }

    private View view(Object value, int depth) {
        if (value == null) {
            return new View.Scalar("null", null);
        }
        if (value instanceof CharSequence text && value.getClass().getName().startsWith("java.")) {
            String s = text.toString();
            return new View.Text(s.length() > limits.string ? s.substring(0, limits.string) : s, s.length());
        }
        View scalar = scalar(value);
        if (scalar != null) {
            return scalar;
        }
        String type = value instanceof StoredObject stored ? stored.type() : value.getClass().getTypeName();
        if (path.containsKey(value)) {
            return new View.Cut(type, "cycle");
        }
        if (depth >= limits.depth) {
            return new View.Cut(type, "depth");
        }
        path.put(value, Boolean.TRUE);
        try {
            return composite(value, type, depth + 1);
        } finally {
            path.remove(value);
        }
    }

    private static View scalar(Object value) {
        if (value instanceof Boolean || value instanceof Integer || value instanceof Long || value instanceof Short
                || value instanceof Byte || value instanceof BigInteger || value instanceof BigDecimal) {
            return new View.Scalar(value.toString(), value);
        }
        if (value instanceof Double d) {
            return new View.Scalar(d.toString(), d.isNaN() || d.isInfinite() ? d.toString() : d);
        }
        if (value instanceof Float f) {
            return new View.Scalar(f.toString(), f.isNaN() || f.isInfinite() ? f.toString() : f);
        }
        if (value instanceof Character c) {
            return new View.Scalar("'" + c + "'", c.toString());
        }
        if (value instanceof StoredObject stored && stored.constant() != null) {
            return new View.Scalar(stored.constant(), stored.constant());
        }
        if (value instanceof Enum<?> constant && isJdk(value.getClass())) {
            return new View.Scalar(constant.name(), constant.name());
        }
        if (value instanceof AtomicInteger || value instanceof AtomicLong || value instanceof LongAdder
                || value instanceof DoubleAdder) {
            Number number = (Number) value;
            return new View.Scalar(number.toString(), value instanceof DoubleAdder ? number.doubleValue() : number.longValue());
        }
        if (value instanceof AtomicBoolean b) {
            return new View.Scalar(Boolean.toString(b.get()), b.get());
        }
        if (value instanceof Class<?> c) {
            return new View.Scalar(c.getName(), c.getName());
        }
        if (value instanceof TemporalAccessor || value instanceof TemporalAmount || value instanceof ZoneId
                || value instanceof UUID || value instanceof URI || value instanceof File || value instanceof Path
                || value instanceof Pattern || value instanceof Locale || value instanceof Currency
                || value instanceof Charset) {
            if (isJdk(value.getClass())) {
                return new View.Scalar(value.toString(), value.toString());
            }
        }
        return null;
    }

    private View composite(Object value, String type, int depth) {
        if (value instanceof StoredObject stored) {
            List<View.Member> fields = new ArrayList<>();
            for (int i = 0; i < Math.min(stored.names().size(), stored.values().size()); i++) {
                fields.add(new View.Member(stored.names().get(i), null, view(stored.values().get(i), depth)));
            }
            return new View.Composite(type, View.Form.OBJECT, fields.size(), fields, 0);
        }
        if (value.getClass().isArray()) {
            int length = Array.getLength(value);
            List<View.Member> elements = new ArrayList<>();
            for (int i = 0; i < Math.min(length, limits.elements); i++) {
                elements.add(new View.Member(null, null, view(Array.get(value, i), depth)));
            }
            return sequence(type, length, elements);
        }
        if (value instanceof AtomicIntegerArray || value instanceof AtomicLongArray) {
            int length = value instanceof AtomicIntegerArray a ? a.length() : ((AtomicLongArray) value).length();
            List<View.Member> elements = new ArrayList<>();
            for (int i = 0; i < Math.min(length, limits.elements); i++) {
                long element = value instanceof AtomicIntegerArray a ? a.get(i) : ((AtomicLongArray) value).get(i);
                elements.add(new View.Member(null, null, new View.Scalar(Long.toString(element), element)));
            }
            return sequence(type, length, elements);
        }
        if (value instanceof Collection<?> collection && isJdk(value.getClass())) {
            List<View.Member> elements = new ArrayList<>();
            Iterator<?> it = collection.iterator();
            while (it.hasNext() && elements.size() < limits.elements) {
                elements.add(new View.Member(null, null, view(it.next(), depth)));
            }
            return sequence(type, collection.size(), elements);
        }
        if (value instanceof Map<?, ?> map && isJdk(value.getClass())) {
            List<View.Member> entries = new ArrayList<>();
            Iterator<? extends Map.Entry<?, ?>> it = map.entrySet().iterator();
            while (it.hasNext() && entries.size() < limits.elements) {
                Map.Entry<?, ?> e = it.next();
                entries.add(new View.Member(null, view(e.getKey(), depth), view(e.getValue(), depth)));
            }
            return new View.Composite(type, View.Form.MAP, map.size(), entries, map.size() - entries.size());
        }
        if (value instanceof Map.Entry<?, ?> e && isJdk(value.getClass())) {
            return object(type, List.of("key", "value"), List.of(e.getKey(), e.getValue()), depth);
        }
        if (value instanceof Optional<?> o) {
            return object(type, List.of("value"), java.util.Arrays.asList(o.orElse(null)), depth);
        }
        if (value instanceof AtomicReference<?> r) {
            return object(type, List.of("value"), java.util.Arrays.asList(r.get()), depth);
        }
        if (isJdk(value.getClass())) {
            return new View.Cut(type, value instanceof Throwable t ? "exception: " + t.getMessage() : "JDK internals");
        }
        return reflected(value, type, depth);
    }

    private View sequence(String type, int size, List<View.Member> elements) {
        return new View.Composite(type, View.Form.SEQUENCE, size, elements, size - elements.size());
    }

    private View object(String type, List<String> names, List<?> values, int depth) {
        List<View.Member> fields = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            fields.add(new View.Member(names.get(i), null, view(values.get(i), depth)));
        }
        return new View.Composite(type, View.Form.OBJECT, fields.size(), fields, 0);
    }

    /** An application object read with its class: its instance fields, superclass first, as the snapshot stores them. */
    private View reflected(Object value, String type, int depth) {
        List<Class<?>> hierarchy = new ArrayList<>();
        for (Class<?> c = value.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            hierarchy.add(0, c);
        }
        List<View.Member> fields = new ArrayList<>();
        for (Class<?> c : hierarchy) {
            Field[] declared = c.getDeclaredFields();
            java.util.Arrays.sort(declared, java.util.Comparator.comparing(Field::getName));
            for (Field field : declared) {
                if (Modifier.isStatic(field.getModifiers()) || field.isSynthetic()) {
                    continue;
                }
                View shown;
                try {
                    shown = field.trySetAccessible() ? view(field.get(value), depth)
                            : new View.Cut(field.getType().getName(), "not accessible");
                } catch (IllegalAccessException e) {
                    shown = new View.Cut(field.getType().getName(), "not accessible");
                }
                fields.add(new View.Member(field.getName(), null, shown));
            }
        }
        return new View.Composite(type, View.Form.OBJECT, fields.size(), fields, 0);
    }

    private static boolean isJdk(Class<?> type) {
        ClassLoader loader = type.getClassLoader();
        return loader == null || loader == ClassLoader.getPlatformClassLoader();
    }
}
