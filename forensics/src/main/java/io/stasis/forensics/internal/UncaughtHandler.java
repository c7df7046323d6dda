package io.stasis.forensics.internal;

/**
 * The default uncaught-exception handler: reports the incident, then hands the exception to the
 * handler the application had set (or prints it as the JVM would). Installed at start and
 * re-installed around any handler the application sets later, so the application's stays in the chain.
 */
final class UncaughtHandler implements Thread.UncaughtExceptionHandler {

    private final Engine engine;
    private final Thread.UncaughtExceptionHandler previous;

    private UncaughtHandler(Engine engine, Thread.UncaughtExceptionHandler previous) {
        this.engine = engine;
        this.previous = previous;
    }

    static synchronized void install(Engine engine) {
        Thread.UncaughtExceptionHandler current = Thread.getDefaultUncaughtExceptionHandler();
        if (!(current instanceof UncaughtHandler)) {
            Thread.setDefaultUncaughtExceptionHandler(new UncaughtHandler(engine, current));
        }
    }

    @Override
    public void uncaughtException(Thread thread, Throwable e) {
        try {
            engine.uncaught(thread, e);
        } catch (Throwable ignored) {
            // reporting must never change what happens to the exception
        }
        if (previous != null) {
            previous.uncaughtException(thread, e);
        } else if (!e.getClass().getName().equals("java.lang.ThreadDeath")) {
            System.err.print("Exception in thread \"" + thread.getName() + "\" ");
            e.printStackTrace(System.err);
        }
    }
}
