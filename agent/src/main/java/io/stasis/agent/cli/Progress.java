package io.stasis.agent.cli;

import java.io.Console;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;

/**
 * A progress line for a long operation, rewritten in place on stderr at most four times a second,
 * and only when the command runs on a terminal: piped or redirected output stays quiet.
 */
final class Progress implements AutoCloseable {

    private static final long EVERY_NANOS = 250_000_000L;

    private final PrintWriter err;
    private final String what;
    private final long total;
    private long done;
    private long lastNanos = System.nanoTime();
    private boolean shown;

    private Progress(PrintWriter err, String what, long total) {
        this.err = err;
        this.what = what;
        this.total = total;
    }

    /** Progress through {@code total} bytes, or null when not on a terminal. */
    static Progress onTerminal(PrintWriter err, String what, long total) {
        return interactive() ? new Progress(err, what, total) : null;
    }

    /** {@code in}, reporting what is read from it to {@code progress} (if any). */
    static InputStream counting(InputStream in, Progress progress) {
        if (progress == null) {
            return in;
        }
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) {
                    progress.advance(1);
                }
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                if (n > 0) {
                    progress.advance(n);
                }
                return n;
            }
        };
    }

    void advance(long bytes) {
        done += bytes;
        long now = System.nanoTime();
        if (now - lastNanos >= EVERY_NANOS) {
            lastNanos = now;
            shown = true;
            err.printf("\r%s: %d of %d MiB (%d%%)   ", what, done >> 20, total >> 20, total == 0 ? 100 : done * 100 / total);
            err.flush();
        }
    }

    /** Clears the line, so that what is printed next starts clean. */
    @Override
    public void close() {
        if (shown) {
            err.print("\r" + " ".repeat(what.length() + 40) + "\r");
            err.flush();
        }
    }

    /**
     * Whether a person watches: a console exists (stdin and stdout are a terminal), and, on JDK 22
     * and later, where {@code System.console()} exists for redirected output too, it is a terminal.
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
}
