package io.stasis.agent.internal.config;

import io.stasis.agent.internal.Log;
import io.stasis.agent.internal.store.S3Location;
import io.stasis.kryo.AllowedClasses;
import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Reads the agent's options from the agent argument ({@code key=value,key=value}), system
 * properties ({@code stasis.KEY}) and a properties file ({@code config=PATH}); the agent argument
 * wins over the system property, which wins over the file. Every problem is an
 * {@link OptionsException} whose message names the key.
 */
public final class OptionsParser {

    static final String SYSTEM_PROPERTY_PREFIX = "stasis.";
    private static final String DEFAULT_DIR = "./stasis-data";

    private static final Set<String> KEYS = Set.of(
            "dir", "restore", "interval", "on-exit", "keep", "quiesce", "fields", "quiesce-timeout", "allow",
            "encryption-key", "encryption.accept-plain", "image-dir", "config", "log", "log.level", "max-age",
            "s3.endpoint", "s3.region", "s3.path-style", "s3.lease", "mirror",
            "group", "group.member", "group.size", "group.zookeeper", "group.timeout", "compression");
    /** Besides letters and digits, what a snapshot id and a group's name or member may hold. */
    private static final String NAME_CHARACTERS = "._-";
    private static final int MAX_GROUP_NAME = 64;

    private OptionsParser() {
    }

    /** Options whose values are lists, with items separated by ';'. */
    private static final Set<String> LIST_KEYS = Set.of("quiesce", "fields", "allow", "group.zookeeper");

    public static AgentOptions parse(String agentArgument, Properties systemProperties) {
        Map<String, String> fromArgument = parseArgument(agentArgument);
        Map<String, String> fromSystem = fromSystemProperties(systemProperties);
        String config = fromArgument.getOrDefault("config", fromSystem.get("config"));

        Map<String, String> merged = new LinkedHashMap<>();
        if (config != null) {
            merged.putAll(readConfigFile(config));
        }
        merged.putAll(fromSystem);
        merged.putAll(fromArgument);
        return build(merged);
    }

    private static AgentOptions build(Map<String, String> values) {
        String intervalText = values.getOrDefault("interval", "off");
        CadenceOptions cadence = CadenceOptions.parse(intervalText,
                intervalText.equalsIgnoreCase("auto") ? null : interval(intervalText), values, new Periods());
        Duration interval = cadence == null ? null : cadence.first();
        S3Location s3 = s3(values, "dir");
        S3Location mirror = s3(values, "mirror");
        if (mirror != null && s3 != null) {
            throw new OptionsException("option 'mirror' copies a local store to object storage, but dir is already '"
                    + values.get("dir") + "': give dir a local directory, or leave mirror out");
        }
        return new AgentOptions(
                localDir(values),
                restore(values.getOrDefault("restore", AgentOptions.RESTORE_LATEST)),
                interval,
                bool("on-exit", values.getOrDefault("on-exit", "true")),
                positiveInt("keep", values.getOrDefault("keep", "5")),
                patterns("quiesce", values.get("quiesce")),
                patterns("fields", values.get("fields")),
                duration("quiesce-timeout", values.getOrDefault("quiesce-timeout", "10s")),
                allow(values.get("allow")),
                values.containsKey("encryption-key") ? path("encryption-key", values.get("encryption-key")) : null,
                values.containsKey("image-dir") ? path("image-dir", values.get("image-dir")) : null,
                ForensicsOptions.parse(values),
                bool("encryption.accept-plain", values.getOrDefault("encryption.accept-plain", "false")),
                choice("log", values.getOrDefault("log", "stderr"), Log.Target.values()),
                choice("log.level", values.getOrDefault("log.level", "info"), Log.Level.values()),
                maxAge(values.get("max-age"), interval),
                cadence,
                s3,
                mirror,
                s3(values, "forensics.dir"),
                group(values, cadence),
                choice("compression", values.getOrDefault("compression", "lz4"), AgentOptions.Compression.values()));
    }

    /** {@code group*}: all of them or none; a group's epochs come at a fixed interval. */
    private static GroupOptions group(Map<String, String> values, CadenceOptions cadence) {
        String name = values.get("group");
        if (name == null) {
            for (String key : values.keySet()) {
                if (key.startsWith("group.")) {
                    throw new OptionsException("option '" + key + "' is for a member of a group, but option 'group' is"
                            + " not set: add group=NAME (with group.member, group.size and group.zookeeper), or leave "
                            + key + " out");
                }
            }
            return null;
        }
        if (!OptionText.isWord(name, NAME_CHARACTERS, MAX_GROUP_NAME)) {
            throw bad("group", name, "a name of letters, digits, '.', '_' or '-' (at most 64)");
        }
        for (String key : List.of("group.member", "group.size", "group.zookeeper")) {
            if (!values.containsKey(key)) {
                throw new OptionsException("option '" + key + "' is missing: a member of group '" + name + "' needs"
                        + " group.member=ID (stable across restarts), group.size=N and group.zookeeper=HOST:PORT");
            }
        }
        String member = values.get("group.member");
        if (!OptionText.isWord(member, NAME_CHARACTERS, MAX_GROUP_NAME)) {
            throw bad("group.member", member, "an id of letters, digits, '.', '_' or '-' (at most 64)");
        }
        int size = positiveInt("group.size", values.get("group.size"));
        // Hosts separated by ';' in the agent argument, where ',' separates options; ZooKeeper's own ',' elsewhere.
        String zookeeper = values.get("group.zookeeper").replace(';', ',');
        if (!zookeeper.matches("[A-Za-z0-9.\\[\\]:-]+(,[A-Za-z0-9.\\[\\]:-]+)*(/[A-Za-z0-9._/-]+)?")) {
            throw bad("group.zookeeper", zookeeper, "a ZooKeeper connect string such as zk1:2181,zk2:2181");
        }
        String timeoutText = values.getOrDefault("group.timeout", "30s");
        Duration timeout = duration("group.timeout", timeoutText);
        if (timeout.compareTo(GroupOptions.SESSION_TIMEOUT.multipliedBy(2)) < 0) {
            throw bad("group.timeout", timeoutText, "a duration of at least "
                    + GroupOptions.SESSION_TIMEOUT.multipliedBy(2).toSeconds() + "s (a member that died must first be"
                    + " told from one that is slow)");
        }
        String restore = values.getOrDefault("restore", AgentOptions.RESTORE_LATEST);
        if (!restore.equals(AgentOptions.RESTORE_LATEST) && !restore.equals(AgentOptions.RESTORE_NONE)) {
            throw bad("restore", restore, "latest or none, since a member of group '" + name + "' restores the newest"
                    + " epoch every member can restore");
        }
        if (cadence != null && cadence.auto()) {
            throw bad("interval", values.get("interval"), "a fixed interval such as interval=30s, since group '" + name
                    + "' takes its epochs at the same pace on every member");
        }
        return new GroupOptions(name, member, size, zookeeper, timeout);
    }

    /**
     * The local directory of the options: {@code dir}, or with {@code dir=s3://…} the default
     * {@code ./stasis-data}, where full-process images and forensic bundles go unless their own
     * options say otherwise.
     */
    static Path localDir(Map<String, String> values) {
        String dir = values.getOrDefault("dir", DEFAULT_DIR);
        return path("dir", S3Location.isS3(dir) ? DEFAULT_DIR : dir);
    }

    /**
     * {@code dir=s3://BUCKET/PREFIX}, {@code mirror=…} or {@code forensics.dir=…} (per {@code option}) and
     * the {@code s3.*} options; {@code null} when that option names no bucket.
     */
    private static S3Location s3(Map<String, String> values, String option) {
        String dir = values.get(option);
        if (option.equals("mirror") && dir != null && !S3Location.isS3(dir)) {
            throw bad("mirror", dir, "s3://BUCKET/PREFIX");
        }
        if (!S3Location.isS3(dir)) {
            if (S3Location.isS3(values.get("dir")) || S3Location.isS3(values.get("mirror"))
                    || S3Location.isS3(values.get("forensics.dir"))) {
                return null;
            }
            for (String key : List.of("s3.endpoint", "s3.region", "s3.path-style", "s3.lease")) {
                if (values.containsKey(key)) {
                    throw new OptionsException("option '" + key + "' is for a store in object storage, but dir is '"
                            + values.getOrDefault("dir", DEFAULT_DIR) + "': write dir=s3://BUCKET/PREFIX or"
                            + " mirror=s3://BUCKET/PREFIX, or leave " + key + " out");
                }
            }
            return null;
        }
        URI endpoint = null;
        if (values.containsKey("s3.endpoint")) {
            try {
                endpoint = new URI(values.get("s3.endpoint"));
            } catch (URISyntaxException e) {
                throw bad("s3.endpoint", values.get("s3.endpoint"), "an http:// or https:// URL");
            }
        }
        String region = values.get("s3.region");
        if (region != null && !region.matches("[a-z0-9-]{1,64}")) {
            throw bad("s3.region", region, "a region name such as eu-west-1");
        }
        String leaseText = values.getOrDefault("s3.lease", "60s");
        Duration lease = duration("s3.lease", leaseText);
        if (lease.compareTo(S3Location.MIN_LEASE) < 0) {
            throw bad("s3.lease", leaseText, "a duration of at least " + S3Location.MIN_LEASE.toSeconds() + "s");
        }
        try {
            return S3Location.parse(dir, endpoint, region, bool("s3.path-style", values.getOrDefault("s3.path-style",
                    "false")), lease);
        } catch (IllegalArgumentException e) {
            throw new OptionsException("option '" + option + "': " + e.getMessage());
        }
    }

    private static Map<String, String> parseArgument(String argument) {
        Map<String, String> values = new LinkedHashMap<>();
        if (argument == null || argument.isBlank()) {
            return values;
        }
        String previousKey = null;
        for (String pair : argument.split(",")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                String hint = previousKey != null && LIST_KEYS.contains(previousKey)
                        ? " (the items of '" + previousKey + "' are separated by ';', since ',' separates options: "
                          + previousKey + "=A;B)"
                        : " (write -javaagent:stasis-agent.jar=dir=/var/lib/app,interval=30s)";
                throw new OptionsException("agent option '" + pair.trim() + "' is not key=value" + hint);
            }
            previousKey = pair.substring(0, eq).trim();
            String value = pair.substring(eq + 1).trim();
            refuseSecondOption(previousKey, value);
            put(values, previousKey, value, "agent option");
        }
        return values;
    }

    /** {@code dir=./x;interval=1s}: a value that holds another option is a typo for ','. */
    private static void refuseSecondOption(String key, String value) {
        if (LIST_KEYS.contains(key) || value.indexOf(';') < 0) {
            return;
        }
        for (String part : value.split(";")) {
            int eq = part.indexOf('=');
            if (eq > 0 && known(part.substring(0, eq).trim())) {
                throw new OptionsException("option '" + key + "' has the value '" + value + "', which holds option '"
                        + part.substring(0, eq).trim() + "': options are separated by ',', not ';'");
            }
        }
    }

    private static Map<String, String> fromSystemProperties(Properties properties) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String name : properties.stringPropertyNames()) {
            if (name.startsWith(SYSTEM_PROPERTY_PREFIX)) {
                put(values, name.substring(SYSTEM_PROPERTY_PREFIX.length()), properties.getProperty(name).trim(),
                        "system property " + name);
            }
        }
        return values;
    }

    private static Map<String, String> readConfigFile(String location) {
        Path file = path("config", location);
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException | RuntimeException e) {
            throw new OptionsException("option 'config': cannot read properties file " + file.toAbsolutePath()
                    + ": " + e.getMessage());
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (String name : properties.stringPropertyNames()) {
            if (name.equals("config")) {
                throw new OptionsException("option 'config' cannot be set inside the config file " + file);
            }
            put(values, name, properties.getProperty(name).trim(), "key in " + file);
        }
        return values;
    }

    private static void put(Map<String, String> values, String key, String value, String where) {
        if (!known(key)) {
            List<String> names = new ArrayList<>(KEYS);
            names.addAll(CadenceOptions.KEYS);
            throw new OptionsException("unknown option '" + key + "' (" + where + "); known options: "
                    + String.join(", ", names.stream().sorted().toList()) + ", forensics, forensics.*");
        }
        values.put(key, value);
    }

    private static boolean known(String key) {
        return KEYS.contains(key) || CadenceOptions.KEYS.contains(key) || ForensicsOptions.KEYS.contains(key);
    }

    private static Path path(String key, String value) {
        if (value.isEmpty()) {
            throw bad(key, value, "a path");
        }
        try {
            return Path.of(value);
        } catch (InvalidPathException e) {
            throw bad(key, value, "a path");
        }
    }

    private static String restore(String value) {
        if (!OptionText.isWord(value, NAME_CHARACTERS, Integer.MAX_VALUE)) {
            throw bad("restore", value, "latest, none, or a snapshot id as printed by 'list'");
        }
        return value;
    }

    /** Each checkpoint is fsynced and logged: more often than this is a mistake, not a schedule. */
    static final Duration MIN_INTERVAL = Duration.ofMillis(10);
    /** Longer waits are typos; and a duration must fit in a long count of nanoseconds for the schedulers. */
    static final Duration MAX_DURATION = Duration.ofDays(365);

    private static Duration interval(String value) {
        if (value.equalsIgnoreCase("off")) {
            return null;
        }
        return period("interval", value, "off, auto or ");
    }

    /**
     * A time between periodic checkpoints: {@code interval}, {@code interval.min}, {@code interval.max}.
     * A class, not a method reference: none is spun before {@code main}.
     */
    private static final class Periods implements CadenceOptions.Parser<Duration> {
        @Override
        public Duration parse(String key, String value) {
            return period(key, value, "");
        }
    }

    private static Duration period(String key, String value, String alternatives) {
        Duration period = duration(key, value, alternatives);
        if (period.compareTo(MIN_INTERVAL) < 0) {
            throw bad(key, value, alternatives + "a duration of at least " + MIN_INTERVAL.toMillis() + "ms");
        }
        return period;
    }

    /** Stale is a state checkpoints are not keeping up with: never something the interval alone causes. */
    private static Duration maxAge(String value, Duration interval) {
        if (value == null) {
            return null;
        }
        Duration maxAge = duration("max-age", value);
        if (interval != null && maxAge.compareTo(interval) <= 0) {
            throw bad("max-age", value, "a duration longer than interval=" + value(interval)
                    + " (several intervals, so that one late or failed checkpoint is not an alarm)");
        }
        return maxAge;
    }

    private static String value(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }

    private static Duration duration(String key, String value) {
        return duration(key, value, "");
    }

    static final String[] DURATION_UNITS = {"ms", "s", "m", "h"};

    private static Duration duration(String key, String value, String alternatives) {
        String[] parts = OptionText.numberAndUnit(value.toLowerCase(Locale.ROOT), Integer.MAX_VALUE, DURATION_UNITS);
        if (parts == null) {
            throw bad(key, value, alternatives + "a duration such as 250ms, 30s, 5m or 1h");
        }
        long amount;
        try {
            amount = Long.parseLong(parts[0]);
        } catch (NumberFormatException e) {
            throw bad(key, value, alternatives + "a duration of at most " + MAX_DURATION.toHours() + "h (a year)");
        }
        Duration duration;
        try {
            duration = switch (parts[1]) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                default -> Duration.ofHours(amount);
            };
        } catch (ArithmeticException e) {
            duration = MAX_DURATION.plusDays(1); // too long in any unit: reported below
        }
        if (duration.isZero()) {
            throw bad(key, value, "a duration greater than zero");
        }
        if (duration.compareTo(MAX_DURATION) > 0) {
            throw bad(key, value, alternatives + "a duration of at most " + MAX_DURATION.toHours() + "h (a year)");
        }
        return duration;
    }

    private static boolean bool(String key, String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw bad(key, value, "true or false");
        };
    }

    /**
     * One of {@code constants}, by name in any case. Given the constants rather than their class:
     * {@code Class.getEnumConstants} calls {@code values()} reflectively, whose first call costs a
     * JDK 25 JVM about 6 ms before {@code main} (method-handle reflection), 1 ms on JDK 17.
     */
    private static <E extends Enum<E>> E choice(String key, String value, E[] constants) {
        for (E constant : constants) {
            if (constant.name().equalsIgnoreCase(value)) {
                return constant;
            }
        }
        throw bad(key, value, String.join(", ", java.util.Arrays.stream(constants)
                .map(c -> c.name().toLowerCase(Locale.ROOT)).toList()));
    }

    private static int positiveInt(String key, String value) {
        try {
            int n = Integer.parseInt(value);
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw bad(key, value, "a whole number of at least 1");
    }

    /**
     * The packages or classes in {@code allow}, checked; the JDK types and each root's reachable
     * types are allowed besides ({@link AgentOptions#allowed}).
     */
    private static List<String> allow(String value) {
        if (value == null || value.isBlank()) {
            return List.of();
        }
        List<String> patterns = Stream.of(value.split(";")).map(String::trim).toList();
        try {
            AllowedClasses.jdk().andPackages(patterns);
        } catch (IllegalArgumentException e) {
            throw bad("allow", value, "packages or classes separated by ';' (com.acme.model.*;com.acme.Money)");
        }
        return patterns;
    }

    private static List<MemberPattern> patterns(String key, String value) {
        List<MemberPattern> patterns = new ArrayList<>();
        if (value == null || value.isBlank()) {
            return patterns;
        }
        for (String text : value.split(";")) {
            try {
                patterns.add(MemberPattern.parse(text.trim()));
            } catch (IllegalArgumentException e) {
                throw new OptionsException("option '" + key + "': " + e.getMessage());
            }
        }
        return patterns;
    }

    private static OptionsException bad(String key, String value, String expected) {
        return new OptionsException("option '" + key + "' has a bad value '" + value + "': expected " + expected);
    }
}
