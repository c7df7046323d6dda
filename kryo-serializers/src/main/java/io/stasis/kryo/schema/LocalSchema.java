package io.stasis.kryo.schema;

import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A class's persistent fields as this JVM has them: every non-static, non-transient field of the
 * class and its superclasses (superclass first, then by name), each with the name it is stored
 * under and the earlier names it answers to ({@code @RenamedFrom}).
 */
final class LocalSchema {

    final Class<?> type;
    final String[] names;
    final Kind[] kinds;
    final Field[] fields;
    private final Map<String, Integer> byName = new HashMap<>();

    private LocalSchema(Class<?> type, List<Field> fields, List<String> names) {
        this.type = type;
        this.fields = fields.toArray(Field[]::new);
        this.names = names.toArray(String[]::new);
        this.kinds = new Kind[this.fields.length];
        for (int i = 0; i < this.fields.length; i++) {
            kinds[i] = Kind.of(this.fields[i].getType());
            byName.put(this.names[i], i);
        }
        for (int i = 0; i < this.fields.length; i++) {
            for (String old : FormerNames.of(this.fields[i])) {
                byName.putIfAbsent(old, i);
            }
        }
    }

    static LocalSchema of(Class<?> type) {
        List<Class<?>> hierarchy = new ArrayList<>();
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            hierarchy.add(0, c);
        }
        List<Field> fields = new ArrayList<>();
        for (Class<?> c : hierarchy) {
            Field[] declared = c.getDeclaredFields();
            Arrays.sort(declared, Comparator.comparing(Field::getName));
            for (Field field : declared) {
                int modifiers = field.getModifiers();
                if (!Modifier.isStatic(modifiers) && !Modifier.isTransient(modifiers) && !field.isSynthetic()) {
                    field.setAccessible(true);
                    fields.add(field);
                }
            }
        }
        Set<String> seen = new HashSet<>();
        Set<String> hidden = new HashSet<>();
        fields.forEach(f -> {
            if (!seen.add(f.getName())) {
                hidden.add(f.getName());
            }
        });
        List<String> names = fields.stream().map(f -> hidden.contains(f.getName())
                ? f.getDeclaringClass().getName() + "." + f.getName() : f.getName()).toList();
        return new LocalSchema(type, fields, names);
    }

    /** The field stored under {@code name} now or under an earlier name, or -1. */
    int indexOf(String name) {
        return byName.getOrDefault(name, -1);
    }

    void write(Output output) {
        output.writeVarInt(fields.length, true);
        for (int i = 0; i < fields.length; i++) {
            output.writeString(names[i]);
            output.writeByte(kinds[i].ordinal());
        }
    }

    /** A schema as a snapshot stored it: names and kinds. */
    record Stored(String[] names, Kind[] kinds) {
        static Stored read(Input input, int maxFields) {
            int count = input.readVarInt(true);
            if (count < 0 || count > maxFields) {
                throw new com.esotericsoftware.kryo.KryoException("a class schema claims " + count + " fields");
            }
            String[] names = new String[count];
            Kind[] kinds = new Kind[count];
            for (int i = 0; i < count; i++) {
                names[i] = input.readString();
                kinds[i] = Kind.read(input);
            }
            return new Stored(names, kinds);
        }

        /** By content, so that the same schema read from another graph finds the same plan. */
        @Override
        public boolean equals(Object o) {
            return o instanceof Stored other && Arrays.equals(names, other.names) && Arrays.equals(kinds, other.kinds);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(names) + Arrays.hashCode(kinds);
        }

        @Override
        public String toString() {
            return "Stored" + Arrays.toString(names) + Arrays.toString(kinds);
        }
    }
}
