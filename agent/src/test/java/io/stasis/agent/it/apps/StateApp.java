package io.stasis.agent.it.apps;

import io.stasis.api.CheckpointInfo;
import io.stasis.api.CheckpointKey;
import io.stasis.api.Checkpointed;
import io.stasis.api.Stasis;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Owns every kind of state the agent restores: static fields, keyed instances (key field, key
 * method, enum key), singletons, inherited fields, records, enums with bodies, collections and
 * java.time values. Each run prints its state as restored, advances it deterministically, prints
 * it again, and takes a checkpoint.
 *
 * <p>Modes: {@code advance-exit} (checkpoint, then return from main), {@code advance-wait}
 * (checkpoint, then wait to be killed), {@code advance-system-exit} (no checkpoint, then
 * {@code System.exit}), {@code advance-sigterm} (no checkpoint, then wait for SIGTERM),
 * {@code two-singletons}, {@code unsnapshottable}, {@code no-agent}.
 */
public final class StateApp {

    enum Color {
        RED,
        GREEN {
            @Override
            String code() {
                return "g";
            }
        },
        BLUE;

        String code() {
            return name().substring(0, 1);
        }
    }

    record Point(int x, int y) {
    }

    record Tagged<T>(String tag, T value) {
    }

    /** Static state, and a class without a static initializer of its own. */
    static final class Counters {
        @Checkpointed
        static int generation;
        @Checkpointed
        static long[] history;
    }

    /** Static state initialized by a static initializer, which restore overwrites. */
    static final class Catalog {
        @Checkpointed
        static List<Point> points = new ArrayList<>(List.of(new Point(0, 0)));
        @Checkpointed
        static Map<Color, Instant> seen = new LinkedHashMap<>();
        static final String NOT_CHECKPOINTED = "constant";
    }

    static final class Account {
        @CheckpointKey
        private final String id;
        @Checkpointed
        private long balance;
        @Checkpointed
        private LocalDate opened;

        /** Delegates, then assigns: restore must still win over the assignment after this(...). */
        Account(String id) {
            this(id, LocalDate.of(2020, 1, 1));
            balance = 100;
        }

        private Account(String id, LocalDate opened) {
            this.id = id;
            this.opened = opened;
        }
    }

    static final class Numbered {
        private final int number;
        @Checkpointed
        private String note = "new";

        Numbered(int number) {
            this.number = number;
        }

        @CheckpointKey
        int number() {
            return number;
        }
    }

    static final class Palette {
        @CheckpointKey
        private final Color color;
        @Checkpointed
        private Tagged<ZonedDateTime> lastChange;

        Palette(Color color) {
            this.color = color;
        }
    }

    /** A singleton: instance state, no key. */
    static final class Settings {
        @Checkpointed
        private Duration timeout = Duration.ofSeconds(1);
        @Checkpointed
        private Set<String> flags = new TreeSet<>();
        @Checkpointed
        private UUID installation = new UUID(0, 0);
        @Checkpointed
        private Color favourite = Color.RED;
    }

    /** State that reaches a thread: refused when written, with the path to it. */
    static final class Workers {
        @Checkpointed
        static Map<String, Object> byName = new HashMap<>();
    }

    static class Base {
        @Checkpointed
        protected long baseCounter;
    }

    /** Inherits its state; its own constructor reports it. */
    static final class Derived extends Base {
        @CheckpointKey
        private final String name;

        Derived(String name) {
            this.name = name;
        }
    }

    private static final List<Object> LIVE = new ArrayList<>();

    private StateApp() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        if (mode.equals("no-agent")) {
            System.out.println("active=" + Stasis.isActive());
            System.out.println("restore=" + Stasis.lastRestore().source() + " " + Stasis.lastRestore().message());
            try {
                Stasis.checkpoint("test");
                System.out.println("checkpoint succeeded without an agent");
            } catch (IllegalStateException e) {
                System.out.println("checkpoint refused: " + e.getMessage());
            }
            return;
        }
        if (mode.equals("unsnapshottable")) {
            Workers.byName.put("poller", new Thread(() -> { }, "poller"));
            try {
                Stasis.checkpoint("test");
                System.out.println("checkpoint succeeded with a thread in it");
            } catch (IllegalStateException e) {
                System.out.println("checkpoint refused: " + e.getMessage());
            }
            return;
        }
        if (mode.equals("two-singletons")) {
            Settings first = new Settings();
            Settings second = new Settings();
            try {
                Stasis.checkpoint("test");
                System.out.println("checkpoint succeeded with " + first + " and " + second);
            } catch (IllegalStateException e) {
                System.out.println("checkpoint refused: " + e.getMessage());
            }
            return;
        }

        Map<String, Account> accounts = new LinkedHashMap<>();
        for (String id : List.of("A", "B", "C")) {
            accounts.put(id, new Account(id));
        }
        List<Numbered> numbered = List.of(new Numbered(1), new Numbered(2));
        Map<Color, Palette> palettes = new HashMap<>();
        for (Color color : Color.values()) {
            palettes.put(color, new Palette(color));
        }
        Settings settings = new Settings();
        Derived derived = new Derived("d");
        // Live until the JVM exits, like an application's state: the exit snapshot runs after main returns.
        LIVE.addAll(List.of(accounts, numbered, palettes, settings, derived));

        System.out.println("restored=" + Stasis.lastRestore().source() + " " + Stasis.lastRestore().restored().size());
        System.out.println("before=" + describe(accounts, numbered, palettes, settings, derived));

        int g = ++Counters.generation;
        long[] history = Counters.history == null ? new long[0] : Counters.history;
        Counters.history = java.util.Arrays.copyOf(history, history.length + 1);
        Counters.history[history.length] = g * 10L;
        Catalog.points.add(new Point(g, -g));
        Catalog.seen.put(Color.values()[g % 3], Instant.ofEpochSecond(1_700_000_000L + g));
        accounts.get("A").balance += 50;
        accounts.get("B").balance -= 20;
        accounts.get("C").opened = accounts.get("C").opened.plusDays(g);
        numbered.get(1).note = "note-" + g;
        palettes.get(Color.GREEN).lastChange = new Tagged<>("gen" + g,
                ZonedDateTime.of(2024, 5, g, 12, 0, 0, 0, ZoneId.of("Europe/Paris")));
        settings.timeout = settings.timeout.plusMillis(250);
        settings.flags.add("flag-" + g);
        settings.installation = new UUID(g, g * 2L);
        settings.favourite = Color.GREEN;
        derived.baseCounter += 7;

        System.out.println("after=" + describe(accounts, numbered, palettes, settings, derived));
        switch (mode) {
            case "advance-system-exit" -> {
                System.out.println("exiting");
                System.exit(0);
            }
            case "advance-sigterm" -> {
                System.out.println("waiting for SIGTERM");
                Thread.sleep(60_000);
            }
            default -> {
                CheckpointInfo info = Stasis.checkpoint("test");
                System.out.println("committed=" + info.id());
                if (mode.equals("advance-wait")) {
                    Thread.sleep(60_000);
                }
            }
        }
    }

    private static String describe(Map<String, Account> accounts, List<Numbered> numbered, Map<Color, Palette> palettes,
                                   Settings settings, Derived derived) {
        StringBuilder s = new StringBuilder();
        s.append("generation=").append(Counters.generation)
                .append(" history=").append(java.util.Arrays.toString(Counters.history))
                .append(" points=").append(Catalog.points)
                .append(" seen=").append(Catalog.seen);
        accounts.forEach((id, a) -> s.append(" account ").append(id).append('=').append(a.balance).append('/')
                .append(a.opened));
        numbered.forEach(n -> s.append(" numbered ").append(n.number).append('=').append(n.note));
        for (Color color : Color.values()) {
            s.append(" palette ").append(color.code()).append('=').append(palettes.get(color).lastChange);
        }
        s.append(" settings=").append(settings.timeout).append('/').append(settings.flags).append('/')
                .append(settings.installation).append('/').append(settings.favourite.code())
                .append(" derived=").append(derived.baseCounter);
        return s.toString();
    }
}
