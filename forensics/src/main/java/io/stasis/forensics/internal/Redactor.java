package io.stasis.forensics.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a bundle may show of system properties, JVM arguments and the environment. By allow-list:
 * a system property's value appears only when its name is on the list (the JDK's own properties and
 * {@code forensics.allow-properties}); an environment variable's value only when named in
 * {@code forensics.allow-env}; a name that looks like a secret is masked even when allowed. Every
 * masked name is recorded for the manifest.
 */
public final class Redactor {

    public static final String MASK = "<redacted>";

    private static final Pattern SECRET = Pattern.compile(
            "(?i).*(pass|pwd|secret|token|credential|private|auth|cookie|session|api[._-]?key|access[._-]?key|signature|salt|cert|\\bkey\\b|[._-]key$).*");

    private static final List<String> JDK_PROPERTIES = List.of(
            "java.*", "jdk.*", "os.*", "file.*", "line.separator", "path.separator", "user.dir", "user.home",
            "user.name", "user.language", "user.country", "user.timezone", "user.variant", "user.script",
            "native.encoding", "stdout.encoding", "stderr.encoding", "sun.arch.data.model", "sun.boot.library.path",
            "sun.cpu.*", "sun.io.unicode.encoding", "sun.jnu.encoding", "sun.management.compiler", "sun.os.*",
            "sun.stdout.encoding", "sun.stderr.encoding", "sun.java.launcher", "sun.java.command");

    /** Flags whose values are command lines the JVM runs (a {@code curl -u user:password}, say). */
    public static final List<String> COMMAND_FLAGS = List.of("OnError", "OnOutOfMemoryError");

    private static final Pattern COMMAND_FLAG = Pattern.compile(
            "-XX:(" + String.join("|", COMMAND_FLAGS) + ")=(?!" + Pattern.quote(MASK) + ").*?(?=\\s-XX:|$)",
            Pattern.MULTILINE);

    private final List<Pattern> allowedProperties = new ArrayList<>();
    private final List<Pattern> allowedEnv = new ArrayList<>();
    private final TreeSet<String> maskedProperties = new TreeSet<>();
    private final TreeSet<String> maskedEnv = new TreeSet<>();
    private int maskedArguments;

    public Redactor(List<String> allowProperties, List<String> allowEnv) {
        JDK_PROPERTIES.forEach(p -> allowedProperties.add(glob(p)));
        allowProperties.forEach(p -> allowedProperties.add(glob(p)));
        allowEnv.forEach(p -> allowedEnv.add(glob(p)));
    }

    static Pattern glob(String pattern) {
        String[] parts = pattern.split("\\*", -1);
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < parts.length; i++) {
            if (i > 0) {
                regex.append(".*");
            }
            if (!parts[i].isEmpty()) {
                regex.append(Pattern.quote(parts[i]));
            }
        }
        return Pattern.compile(regex.toString());
    }

    public static boolean looksSecret(String name) {
        return SECRET.matcher(name.toLowerCase(Locale.ROOT)).matches();
    }

    private static boolean matches(List<Pattern> patterns, String name) {
        for (Pattern p : patterns) {
            if (p.matcher(name).matches()) {
                return true;
            }
        }
        return false;
    }

    /** A system property's value as the bundle shows it. */
    public String property(String name, String value) {
        if (looksSecret(name) || !matches(allowedProperties, name)) {
            maskedProperties.add(name);
            return MASK;
        }
        if (name.equals("sun.java.command") || name.equals("jdk.module.main")) {
            // The main class stays; program arguments may carry anything.
            String[] parts = value.split(" ", 2);
            if (parts.length > 1) {
                maskedProperties.add(name + " (arguments)");
                return parts[0] + " " + MASK;
            }
        }
        return value;
    }

    public Map<String, String> properties(Map<String, String> properties) {
        Map<String, String> shown = new TreeMap<>();
        properties.forEach((k, v) -> shown.put(k, property(k, v)));
        return shown;
    }

    public Map<String, String> environment(Map<String, String> env) {
        Map<String, String> shown = new TreeMap<>();
        env.forEach((name, value) -> {
            if (!looksSecret(name) && matches(allowedEnv, name)) {
                shown.put(name, value);
            } else {
                maskedEnv.add(name);
                shown.put(name, MASK);
            }
        });
        return shown;
    }

    /** A JVM argument: {@code -Dname=value} by the property rules; other arguments with an {@code =} in a secret-looking name masked. */
    public String argument(String argument) {
        if (argument.startsWith("-D")) {
            int eq = argument.indexOf('=');
            if (eq > 2) {
                String name = argument.substring(2, eq);
                String shown = property(name, argument.substring(eq + 1));
                if (shown.equals(MASK)) {
                    maskedArguments++;
                }
                return argument.substring(0, eq + 1) + shown;
            }
            return argument;
        }
        if (argument.startsWith("-javaagent:") || argument.startsWith("-agentlib:") || argument.startsWith("-agentpath:")) {
            int eq = argument.indexOf('=');
            if (eq > 0) {
                maskedArguments++;
                return argument.substring(0, eq + 1) + MASK;
            }
            return argument;
        }
        for (String flag : COMMAND_FLAGS) {
            if (argument.startsWith("-XX:" + flag + "=")) {
                maskedArguments++;
                return "-XX:" + flag + "=" + MASK;
            }
        }
        int eq = argument.indexOf('=');
        if (eq > 0 && looksSecret(argument.substring(0, eq))) {
            maskedArguments++;
            return argument.substring(0, eq + 1) + MASK;
        }
        return argument;
    }

    /**
     * {@code VM.flags} output with the values of {@link #COMMAND_FLAGS} masked: each value as the JVM
     * holds it (spaces included), then, should one not be found so, up to the next flag.
     */
    public String vmFlags(String flags, Map<String, String> commandFlagValues) {
        String shown = flags;
        for (Map.Entry<String, String> flag : commandFlagValues.entrySet()) {
            String set = "-XX:" + flag.getKey() + "=" + flag.getValue();
            if (!flag.getValue().isEmpty() && shown.contains(set)) {
                shown = shown.replace(set, "-XX:" + flag.getKey() + "=" + MASK);
                maskedArguments++;
            }
        }
        return COMMAND_FLAG.matcher(shown).replaceAll(m -> {
            maskedArguments++;
            return "-XX:" + m.group(1) + "=" + Matcher.quoteReplacement(MASK);
        });
    }

    public List<String> maskedProperties() {
        return List.copyOf(maskedProperties);
    }

    public List<String> maskedEnvironment() {
        return List.copyOf(maskedEnv);
    }

    public int maskedArguments() {
        return maskedArguments;
    }
}
