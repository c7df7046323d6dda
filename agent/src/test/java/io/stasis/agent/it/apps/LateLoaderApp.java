package io.stasis.agent.it.apps;

import io.stasis.api.Stasis;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;

/**
 * Waits, then loads {@code late.LateCounter} in a child class loader of its own (child first, as
 * servlet containers do) and counts once, after taking a checkpoint: the agent must instrument
 * and restore a class it first sees long after start-up. Arguments: the wait in milliseconds, the directory of the classes.
 */
public final class LateLoaderApp {

    private static final String LATE_PACKAGE = "io.stasis.agent.it.apps.late.";

    private LateLoaderApp() {
    }

    public static void main(String[] args) throws Exception {
        Thread.sleep(Long.parseLong(args[0]));
        // A checkpoint before the late class exists: its restore, if any, is still waiting then.
        System.out.println("before the late class: snapshot " + Stasis.checkpoint("before the late class").id());
        URL classes = Path.of(args[1]).toUri().toURL();
        try (URLClassLoader child = new URLClassLoader(new URL[]{classes}, LateLoaderApp.class.getClassLoader()) {
            @Override
            protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
                if (!name.startsWith(LATE_PACKAGE)) {
                    return super.loadClass(name, resolve);
                }
                synchronized (getClassLoadingLock(name)) {
                    Class<?> loaded = findLoadedClass(name);
                    return loaded != null ? loaded : findClass(name);
                }
            }
        }) {
            Class<?> late = Class.forName(LATE_PACKAGE + "LateCounter", true, child);
            System.out.println("late loader: " + (late.getClassLoader() == child) + ", late count="
                    + late.getMethod("increment").invoke(null));
        }
    }
}
