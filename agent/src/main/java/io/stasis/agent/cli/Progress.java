package io.stasis.agent.cli;

import java.io.Console;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

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

    /** Progress on standard error, if a person watches it. */
    static Progress start(String what) {
        return new Progress(what, interactive() ? System.err : null, true);
    }

    /**
     * Whether a person watches: a console exists (standard input and output are a terminal), and,
     * from JDK 22, where {@code System.console()} exists for redirected output too, it is a terminal.
     */
    private static boolean interactive() {
        Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
        } catch (NoSuchMethodException e) {
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }

    /** {@code in}, with how much of {@code total} bytes has been read from it as the detail. */
    InputStream counting(InputStream in, long total) {
        AtomicLong read = new AtomicLong();
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) {
                    advance(1);
                }
                return b;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                int n = super.read(buffer, offset, length);
                if (n > 0) {
                    advance(n);
                }
                return n;
            }

            private void advance(long n) {
                long done = read.addAndGet(n);
                detail((done >> 20) + " of " + (total >> 20) + " MiB (" + (total == 0 ? 100 : done * 100 / total) + "%)");
            }
        };
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
