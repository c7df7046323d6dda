package io.stasis.agent.cli;

import java.util.List;

/** A value as {@code inspect} shows it: already cut to the {@link RenderLimits}, then printed as text or JSON. */
sealed interface View {

    /** A number, boolean, null, or a value type shown as its text. */
    record Scalar(String text, Object json) implements View {
    }

    /** A string: {@code shown} is all of it, or its first characters when {@code length} is larger. */
    record Text(String shown, int length) implements View {
        boolean cut() {
            return shown.length() < length;
        }
    }

    /** An object's fields, or a sequence's elements, or a map's entries; {@code more} were left out. */
    record Composite(String type, Form form, int size, List<Member> members, int more) implements View {
    }

    /** Not shown: nested too deep, a reference back to an object being shown, or not readable. */
    record Cut(String type, String why) implements View {
    }

    /** A field (name), an element (neither), or a map entry (key). */
    record Member(String name, View key, View value) {
    }

    enum Form { OBJECT, SEQUENCE, MAP }

    static String simpleName(String type) {
        String name = type.substring(type.lastIndexOf('.') + 1);
        return name.replace('$', '.');
    }
}
