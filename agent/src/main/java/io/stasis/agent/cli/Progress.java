package io.stasis.agent.cli;

import java.io.PrintStream;
import java.util.concurrent.TimeUnit;

/**
 * A line on a terminal that says a long operation is still going ({@code verifying … 12 s, 340 of
 * 1000 snapshots}), rewritten in place every half second once it has taken a second, and erased
 * when it ends. When standard error is not a terminal (a script, a log) it prints nothing.
 */
final class Progress implements AutoCloseable {

    private static final long FIRST_AFTER_MILLIS = 1_000;
    private static final long EVERY_MILLIS = 500;

    private final String what;
    private final PrintStream terminal;
    private final long start = System.nanoTime();
    private final Thread ticker;
    private volatile String detail = "";
    private int shown;

    private Progress(String what, PrintStream terminal, boolean ticking) {
        this.what = what;
        this.terminal = terminal;
        if (terminal == null || !ticking) {
            ticker = null;
            return;
        }
        ticker = new Thread(this::tick, "stasis-progress");
        ticker.setDaemon(true);
        ticker.start();
    }

    /** Progress on standard error, if it is a terminal. */
    static Progress start(String what) {
        return new Progress(what, System.console() != null ? System.err : null, true);
    }

    /** Progress on {@code terminal} shown only when {@link #show} is called: for tests. */
    static Progress untimed(PrintStream terminal, String what) {
        return new Progress(what, terminal, false);
    }

    /** What to add after the elapsed time, e.g. {@code 340 of 1000 snapshots}. */
    void detail(String text) {
        detail = text;
    }

    private void tick() {
        try {
            Thread.sleep(FIRST_AFTER_MILLIS);
            while (!Thread.currentThread().isInterrupted()) {
                show();
                Thread.sleep(EVERY_MILLIS);
            }
        } catch (InterruptedException e) {
            // closed
        }
    }

    synchronized void show() {
        if (terminal == null) {
            return;
        }
        String text = detail;
        String line = what + " … " + TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start) + " s"
                + (text.isEmpty() ? "" : ", " + text);
        terminal.print("\r" + line + " ".repeat(Math.max(0, shown - line.length())));
        terminal.flush();
        shown = line.length();
    }

    @Override
    public void close() {
        if (terminal == null) {
            return;
        }
        if (ticker != null) {
            ticker.interrupt();
            try {
                ticker.join(1_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (this) {
            if (shown > 0) {
                terminal.print("\r" + " ".repeat(shown) + "\r");
                terminal.flush();
            }
        }
    }
}
