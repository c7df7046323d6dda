package io.stasis.agent.internal;

import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.TimeZone;

/**
 * The agent's log. The agent runs inside other people's applications, so it does not bring a
 * logging framework of its own: by default one line per event on standard error,
 * {@code [stasis] 2026-12-04 17:45:01.123 WARNING text}; with {@code log=system} the JDK's
 * {@link System.Logger} named {@code io.stasis}, which the application's logging may take over;
 * with {@code log=off} nothing. {@code log.level} drops the less severe lines.
 */
public final class Log {

    /** Where lines go ({@code log}). */
    public enum Target { STDERR, SYSTEM, OFF }

    /** The least severe line written ({@code log.level}). */
    public enum Level {
        INFO(System.Logger.Level.INFO), WARNING(System.Logger.Level.WARNING), ERROR(System.Logger.Level.ERROR);

        private final System.Logger.Level system;

        Level(System.Logger.Level system) {
            this.system = system;
        }
    }

    private static final String PREFIX = "[stasis] ";
    private static volatile Target target = Target.STDERR;
    private static volatile Level threshold = Level.INFO;

    private Log() {
    }

    /** Set once the options are read; lines before that (option errors) go to standard error. */
    public static void configure(Target where, Level least) {
        target = where;
        threshold = least;
    }

    public static void info(String message) {
        write(Level.INFO, message);
    }

    public static void warn(String message) {
        write(Level.WARNING, message);
    }

    /** The message, then each cause's type and message on the same line. */
    public static void error(String message, Throwable cause) {
        StringBuilder line = new StringBuilder(message);
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            line.append(": ").append(describe(t));
        }
        write(Level.ERROR, line.toString());
    }

    /** A start-up failure: always on standard error, whatever {@code log} says, since the JVM stops. */
    public static void fatal(String message) {
        System.err.println(format(Level.ERROR, message));
        System.err.flush();
    }

    private static void write(Level level, String message) {
        if (level.compareTo(threshold) < 0) {
            return;
        }
        switch (target) {
            case STDERR -> System.err.println(format(level, message));
            case SYSTEM -> System.getLogger("io.stasis").log(level.system, message);
            case OFF -> { }
        }
    }

    /** Local time, as the application's own log lines most likely are; formatted by hand to stay cheap at start-up. */
    static String format(Level level, String message) {
        return format(level, message, System.currentTimeMillis(), TimeZone.getDefault());
    }

    /**
     * The line at {@code epochMillis} in {@code zone}. The zone's offset comes from
     * {@link TimeZone}, which reads the JDK's time-zone file directly: {@code LocalDateTime.now()}
     * first looks for rule providers on the class path, 10 to 15 ms more on a JVM's first line.
     */
    static String format(Level level, String message, long epochMillis, TimeZone zone) {
        LocalDateTime now = LocalDateTime.ofEpochSecond(Math.floorDiv(epochMillis, 1000L),
                (int) Math.floorMod(epochMillis, 1000L) * 1_000_000, ZoneOffset.ofTotalSeconds(zone.getOffset(epochMillis) / 1000));
        StringBuilder line = new StringBuilder(PREFIX.length() + 32 + message.length()).append(PREFIX)
                .append(now.getYear()).append('-');
        pad(line, now.getMonthValue(), 2).append('-');
        pad(line, now.getDayOfMonth(), 2).append(' ');
        pad(line, now.getHour(), 2).append(':');
        pad(line, now.getMinute(), 2).append(':');
        pad(line, now.getSecond(), 2).append('.');
        pad(line, now.getNano() / 1_000_000, 3).append(' ');
        return line.append(level.name()).append(' ').append(message).toString();
    }

    /**
     * {@code nanos} in milliseconds with {@code decimals} places (0 to 6), rounded: {@code "3.313"}.
     * Not {@code String.format}: its first use loads the locale machinery (tens of milliseconds, on
     * the exit checkpoint of every JVM), and some locales write a decimal comma.
     */
    public static String millis(long nanos, int decimals) {
        if (decimals < 0 || decimals > 6) {
            throw new IllegalArgumentException("0 to 6 decimals, not " + decimals);
        }
        int scale = 1;
        for (int i = 0; i < decimals; i++) {
            scale *= 10;
        }
        long units = Math.round(nanos / (1_000_000.0 / scale));
        StringBuilder text = new StringBuilder(24);
        if (units < 0) {
            text.append('-');
            units = -units;
        }
        text.append(units / scale);
        return decimals == 0 ? text.toString() : pad(text.append('.'), (int) (units % scale), decimals).toString();
    }

    private static StringBuilder pad(StringBuilder line, int value, int width) {
        String digits = Integer.toString(value);
        for (int i = digits.length(); i < width; i++) {
            line.append('0');
        }
        return line.append(digits);
    }

    /** How to allow a class a snapshot was refused, as an agent option. */
    public static String allowHint(io.stasis.kryo.ClassNotAllowedException e) {
        return " (allow it with the agent option allow=" + e.packagePattern() + ")";
    }

    /** A throwable's message, or its type when it has none. */
    public static String describe(Throwable t) {
        String message = t.getMessage();
        return message == null || message.isBlank() ? t.getClass().getSimpleName() : message;
    }
}
