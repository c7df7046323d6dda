package io.stasis.agent.internal;

/**
 * The agent's log: one line per event on standard error, prefixed {@code [stasis]}. The agent runs
 * inside other people's applications, so it does not bring a logging framework of its own.
 */
public final class Log {

    private static final String PREFIX = "[stasis] ";

    private Log() {
    }

    public static void info(String message) {
        System.err.println(PREFIX + message);
    }

    public static void warn(String message) {
        System.err.println(PREFIX + "WARNING: " + message);
    }

    /** The message, then each cause's type and message on the same line. */
    public static void error(String message, Throwable cause) {
        StringBuilder line = new StringBuilder(PREFIX).append("ERROR: ").append(message);
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            line.append(": ").append(describe(t));
        }
        System.err.println(line);
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
