package io.stasis.agent.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stasis.agent.internal.store.Root;
import java.io.PrintWriter;
import java.util.List;

/** Roots with their values, as {@code inspect} and {@code decrypt --render} show them. */
final class RootsView {

    static final String WITHOUT_CLASSES_NOTE = "Values read from the schemas stored with them, without the"
            + " application's classes: objects show their stored fields, enums their constants' names; no code of"
            + " the application ran.";

    private RootsView() {
    }

    static void text(PrintWriter out, List<Root> roots, ClassLoader application, RenderLimits limits) {
        boolean anyWithoutClasses = false;
        for (Root root : roots) {
            out.printf("  %s  (%d bytes)%n", root.name(), root.data().length);
            RootValues read = RootValues.read(root, application);
            if (read.values() == null) {
                out.println("    values not shown: " + read.problem()
                        + (application == null ? " (pass --class-path with the application's classes to read them)" : ""));
                out.println("    fields: " + String.join(", ", root.fields()));
                continue;
            }
            if (read.problem() != null) {
                out.println("    (read without the application's classes: " + read.problem() + ")");
            }
            anyWithoutClasses |= !read.withClasses();
            for (int i = 0; i < root.fields().size(); i++) {
                ViewText.print(out, "    ", root.fields().get(i) + " = ", Views.of(read.values().get(i), limits));
            }
        }
        if (anyWithoutClasses) {
            out.println(WITHOUT_CLASSES_NOTE);
        }
    }

    /** Adds {@code "values"} (and {@code "readWith"}), or {@code "valuesNotShown"}, to a root's JSON. */
    static void json(ObjectNode node, Root root, ClassLoader application, RenderLimits limits) {
        RootValues read = RootValues.read(root, application);
        if (read.values() == null) {
            node.put("valuesNotShown", read.problem());
            return;
        }
        node.put("readWith", read.withClasses() ? "classes" : "stored schemas");
        if (read.problem() != null) {
            node.put("classesProblem", read.problem());
        }
        ObjectNode values = node.putObject("values");
        for (int i = 0; i < root.fields().size(); i++) {
            values.set(root.fields().get(i), ViewJson.of(Views.of(read.values().get(i), limits)));
        }
    }
}
