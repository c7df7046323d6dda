package io.stasis.agent.internal.config;

import io.stasis.agent.internal.store.S3Location;
import io.stasis.forensics.AgeKeys;
import io.stasis.forensics.ForensicsConfig;
import java.io.IOException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The {@code forensics*} agent options. With {@code forensics=on} and no recipient, start-up fails
 * closed: a bundle is never written unencrypted, and one that nobody can read is of no use.
 */
public final class ForensicsOptions {

    static final Set<String> KEYS = Set.of(
            "forensics", "forensics.recipients", "forensics.recipients-file", "forensics.dir",
            "forensics.on-uncaught", "forensics.on-deadlock", "forensics.deadlock-check",
            "forensics.on-memory", "forensics.memory-threshold", "forensics.on-gc-pause", "forensics.gc-pause",
            "forensics.slow-unit",
            "forensics.window", "forensics.rate", "forensics.disk-budget",
            "forensics.histogram", "forensics.jfr", "forensics.jfr-max-age", "forensics.jfr-max-size",
            "forensics.state", "forensics.state-timeout", "forensics.heap-dump", "forensics.heap-dump-on-oom",
            "forensics.oom-reserve", "forensics.allow-properties", "forensics.allow-env");

    private static final String[] SIZE_UNITS = {"", "b", "k", "kb", "m", "mb", "g", "gb"};

    private ForensicsOptions() {
    }

    /** The forensics configuration, or {@code null} when {@code forensics=off} (the default). */
    public static ForensicsConfig parse(Map<String, String> values) {
        if (!onOff("forensics", values.getOrDefault("forensics", "off"))) {
            for (String key : values.keySet()) {
                if (key.startsWith("forensics.")) {
                    throw new OptionsException("option '" + key + "' is set but forensics is off (add forensics=on)");
                }
            }
            return null;
        }
        List<String> recipients = new ArrayList<>();
        String inline = values.get("forensics.recipients");
        if (inline != null) {
            for (String r : inline.split(";")) {
                if (!r.isBlank()) {
                    recipients.add(r.trim());
                }
            }
        }
        String file = values.get("forensics.recipients-file");
        if (file != null) {
            try {
                recipients.addAll(AgeKeys.readRecipientsFile(path("forensics.recipients-file", file)));
            } catch (IOException e) {
                throw new OptionsException("option 'forensics.recipients-file': cannot read " + file + ": " + e.getMessage());
            }
        }
        if (recipients.isEmpty()) {
            throw new OptionsException("option 'forensics.recipients': forensics=on needs at least one age recipient "
                    + "(forensics.recipients=age1...;age1... or forensics.recipients-file=PATH; make one with "
                    + "'java -jar stasis-agent.jar keygen'); nothing is ever written unencrypted");
        }
        try {
            AgeKeys.recipients(recipients);
        } catch (IllegalArgumentException e) {
            throw new OptionsException("option '" + (inline != null ? "forensics.recipients" : "forensics.recipients-file")
                    + "': " + e.getMessage());
        }
        // forensics.dir=s3://…: bundles are written locally as by default, then uploaded (AgentOptions.forensicsUpload).
        Path dir = values.containsKey("forensics.dir") && !S3Location.isS3(values.get("forensics.dir"))
                ? path("forensics.dir", values.get("forensics.dir"))
                : OptionsParser.localDir(values).resolve("forensics");
        String rate = values.getOrDefault("forensics.rate", "10/1h");
        int slash = rate.indexOf('/');
        String count = slash < 0 ? "" : rate.substring(0, slash);
        String period = rate.substring(slash + 1);
        if (OptionText.numberAndUnit(count, 9, "") == null || Integer.parseInt(count) < 1 || period.isEmpty()) {
            throw bad("forensics.rate", rate, "bundles per period, such as 10/1h or 1/30s");
        }
        int threshold = intIn("forensics.memory-threshold", values.getOrDefault("forensics.memory-threshold", "90"), 1, 99);
        String version = ForensicsOptions.class.getPackage().getImplementationVersion();
        return new ForensicsConfig(dir, recipients,
                onOff("forensics.on-uncaught", values.getOrDefault("forensics.on-uncaught", "on")),
                onOff("forensics.on-deadlock", values.getOrDefault("forensics.on-deadlock", "on")),
                duration("forensics.deadlock-check", values.getOrDefault("forensics.deadlock-check", "5s")),
                onOff("forensics.on-memory", values.getOrDefault("forensics.on-memory", "on")),
                threshold,
                onOff("forensics.on-gc-pause", values.getOrDefault("forensics.on-gc-pause", "on")),
                duration("forensics.gc-pause", values.getOrDefault("forensics.gc-pause", "2s")),
                values.containsKey("forensics.slow-unit") ? duration("forensics.slow-unit", values.get("forensics.slow-unit"))
                        : null,
                duration("forensics.window", values.getOrDefault("forensics.window", "10m")),
                Integer.parseInt(count), duration("forensics.rate", period),
                size("forensics.disk-budget", values.getOrDefault("forensics.disk-budget", "1g")),
                onOff("forensics.histogram", values.getOrDefault("forensics.histogram", "on")),
                onOff("forensics.jfr", values.getOrDefault("forensics.jfr", "on")),
                duration("forensics.jfr-max-age", values.getOrDefault("forensics.jfr-max-age", "5m")),
                size("forensics.jfr-max-size", values.getOrDefault("forensics.jfr-max-size", "100m")),
                onOff("forensics.state", values.getOrDefault("forensics.state", "on")),
                duration("forensics.state-timeout", values.getOrDefault("forensics.state-timeout", "2s")),
                onOff("forensics.heap-dump", values.getOrDefault("forensics.heap-dump", "off")),
                onOff("forensics.heap-dump-on-oom", values.getOrDefault("forensics.heap-dump-on-oom", "off")),
                size("forensics.oom-reserve", values.getOrDefault("forensics.oom-reserve", "8m"), true),
                list(values.get("forensics.allow-properties")), list(values.get("forensics.allow-env")),
                version == null ? "development build" : version);
    }

    private static List<String> list(String value) {
        List<String> items = new ArrayList<>();
        if (value != null) {
            for (String item : value.split(";")) {
                if (!item.isBlank()) {
                    items.add(item.trim());
                }
            }
        }
        return items;
    }

    private static boolean onOff(String key, String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "on", "true" -> true;
            case "off", "false" -> false;
            default -> throw bad(key, value, "on or off");
        };
    }

    private static int intIn(String key, String value, int min, int max) {
        try {
            int n = Integer.parseInt(value);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw bad(key, value, "a whole number from " + min + " to " + max);
    }

    private static Duration duration(String key, String value) {
        String[] parts = OptionText.numberAndUnit(value.toLowerCase(Locale.ROOT), 12, OptionsParser.DURATION_UNITS);
        if (parts == null || Long.parseLong(parts[0]) == 0) {
            throw bad(key, value, "a duration greater than zero such as 250ms, 30s, 5m or 1h");
        }
        long n = Long.parseLong(parts[0]);
        return switch (parts[1]) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
    }

    private static long size(String key, String value) {
        return size(key, value, false);
    }

    private static long size(String key, String value, boolean zeroAllowed) {
        String[] parts = OptionText.numberAndUnit(value.toLowerCase(Locale.ROOT), 15, SIZE_UNITS);
        if (parts != null) {
            long n = Long.parseLong(parts[0]);
            long unit = switch (parts[1].isEmpty() ? 'b' : parts[1].charAt(0)) {
                case 'k' -> 1L << 10;
                case 'm' -> 1L << 20;
                case 'g' -> 1L << 30;
                default -> 1L;
            };
            if ((n > 0 || zeroAllowed) && n <= Long.MAX_VALUE / unit) {
                return n * unit;
            }
        }
        throw bad(key, value, "a size such as 512k, 100m or 2g" + (zeroAllowed ? " (0 for none)" : ""));
    }

    private static Path path(String key, String value) {
        try {
            if (!value.isEmpty()) {
                return Path.of(value);
            }
        } catch (InvalidPathException e) {
            // below
        }
        throw bad(key, value, "a path");
    }

    private static OptionsException bad(String key, String value, String expected) {
        return new OptionsException("option '" + key + "' has a bad value '" + value + "': expected " + expected);
    }
}
