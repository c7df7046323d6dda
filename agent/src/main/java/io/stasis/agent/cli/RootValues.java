package io.stasis.agent.cli;

import com.esotericsoftware.kryo.KryoException;
import io.stasis.agent.internal.store.Root;
import io.stasis.kryo.AllowedClasses;
import io.stasis.kryo.SnapshotKryo;
import io.stasis.kryo.ValueGraph;
import java.util.List;

/**
 * Reads one root's values to show them. With the application's classes (an isolated class loader
 * from {@code --class-path}), as a restore reads them: the allow-list admits the JDK's types and
 * those the owner's fields reach, and only constructors run, as in a restore. Otherwise, or when
 * that fails, without any application class, from the schemas the bytes carry. Bytes are hostile
 * either way: the readers are bounded and budgeted, and a failure is a message, not a crash.
 *
 * @param values      the field values, in the order of the root's field names; null when unreadable
 * @param problem     why they could not be read (or could not be read with the classes), or null
 * @param withClasses whether they were read with the application's classes
 */
record RootValues(List<Object> values, String problem, boolean withClasses) {

    static RootValues read(Root root, ClassLoader application) {
        String withClasses = null;
        if (application != null) {
            try {
                Class<?> owner = Class.forName(root.owner(), false, application);
                var kryo = SnapshotKryo.create(application, AllowedClasses.jdk().andReachableFrom(owner));
                return new RootValues(ValueGraph.read(kryo, root.data(), root.fields().size()), null, true);
            } catch (ClassNotFoundException e) {
                withClasses = root.owner() + " is not on --class-path";
            } catch (RuntimeException | LinkageError e) {
                withClasses = describe(e);
            }
        }
        try {
            return new RootValues(ValueGraph.read(SnapshotKryo.createWithoutClasses(), root.data(), root.fields().size()),
                    withClasses, false);
        } catch (RuntimeException e) {
            String without = describe(e);
            return new RootValues(null, withClasses == null ? without
                    : "with --class-path: " + withClasses + "; without the classes: " + without, false);
        }
    }

    private static String describe(Throwable e) {
        String message = e instanceof KryoException k ? k.getMessage() : e.toString();
        return message == null ? e.getClass().getName() : message.lines().findFirst().orElse(message);
    }
}
