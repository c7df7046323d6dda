package io.stasis.agent.testing;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the agent's lines, {@code [stasis] 2026-12-04 17:45:01.123 LEVEL text}, out of a process's output. */
public final class AgentLog {

    private static final Pattern LINE = Pattern.compile(
            "\\[stasis] \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}\\.\\d{3} (INFO|WARNING|ERROR) (.*)");

    private AgentLog() {
    }

    /** The texts of the agent's lines of that level, in order. */
    public static List<String> messages(List<String> lines, String level) {
        return lines.stream().map(LINE::matcher).filter(Matcher::matches).filter(m -> m.group(1).equals(level))
                .map(m -> m.group(2)).toList();
    }

    public static List<String> messages(String output, String level) {
        return messages(output.lines().toList(), level);
    }

    /** Whether the agent wrote a line of that level starting with the text. */
    public static boolean has(List<String> lines, String level, String start) {
        return messages(lines, level).stream().anyMatch(m -> m.startsWith(start));
    }

    public static boolean has(String output, String level, String start) {
        return has(output.lines().toList(), level, start);
    }

    /** Whether the line is one of the agent's. */
    public static boolean isAgentLine(String line) {
        return line.startsWith("[stasis] ");
    }
}
