package io.stasis.benchmarks;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Application-like state of a chosen size: a map of records keyed by strings, a list of mutable
 * objects with strings and longs, primitive arrays, and nested lists of strings. Generated
 * deterministically from a seed, in "units" that each add one account, two events, 16 longs,
 * 16 ints and one short list of tags. Serializable, with a deep {@code equals}, so that
 * {@link SerializerComparisonBenchmark} can check every serializer's round trip.
 */
public final class MixedState implements Serializable {

    private static final long serialVersionUID = 1L;

    /** An immutable value in a map, serialized by Kryo's record serializer. */
    public record Account(String id, String owner, long balance, long updatedAtMillis, int flags) implements Serializable {
    }

    /** A mutable object, serialized field by field. */
    public static final class Event implements Serializable {
        private static final long serialVersionUID = 1L;

        String type;
        String note;
        long timestamp;
        long amount;
        int partition;

        Event() {
        }

        Event(String type, String note, long timestamp, long amount, int partition) {
            this.type = type;
            this.note = note;
            this.timestamp = timestamp;
            this.amount = amount;
            this.partition = partition;
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof Event)) {
                return false;
            }
            Event e = (Event) o;
            return timestamp == e.timestamp && amount == e.amount && partition == e.partition
                    && Objects.equals(type, e.type) && Objects.equals(note, e.note);
        }

        @Override
        public int hashCode() {
            return Objects.hash(type, note, timestamp, amount, partition);
        }
    }

    private static final String[] OWNERS = {"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"};
    private static final String[] TYPES = {"deposit", "withdrawal", "transfer", "fee", "interest"};
    private static final int LONGS_PER_UNIT = 16;
    private static final int INTS_PER_UNIT = 16;

    final Map<String, Account> accounts;
    final List<Event> events;
    final long[] series;
    final int[] counters;
    final List<List<String>> tags;

    private MixedState(int units) {
        accounts = new HashMap<>(units * 4 / 3 + 1);
        events = new ArrayList<>(units * 2);
        series = new long[units * LONGS_PER_UNIT];
        counters = new int[units * INTS_PER_UNIT];
        tags = new ArrayList<>(units);
    }

    /** The state made of {@code units} units. */
    public static MixedState generate(int units, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        MixedState state = new MixedState(units);
        long clock = 1_700_000_000_000L;
        for (int i = 0; i < units; i++) {
            String id = "acct-" + Integer.toString(i, 36) + "-" + Integer.toHexString(random.nextInt(1 << 20));
            state.accounts.put(id, new Account(id, OWNERS[random.nextInt(OWNERS.length)] + "." + random.nextInt(10_000),
                    random.nextLong(10_000_000L), clock + random.nextLong(86_400_000L), random.nextInt(16)));
            for (int e = 0; e < 2; e++) {
                clock += random.nextInt(1000);
                state.events.add(new Event(TYPES[random.nextInt(TYPES.length)], "ref " + id + "/" + e,
                        clock, random.nextLong(-500_000L, 500_000L), random.nextInt(64)));
            }
            for (int k = 0; k < LONGS_PER_UNIT; k++) {
                state.series[i * LONGS_PER_UNIT + k] = random.nextLong(1L << 40);
            }
            for (int k = 0; k < INTS_PER_UNIT; k++) {
                state.counters[i * INTS_PER_UNIT + k] = random.nextInt(100_000);
            }
            List<String> unitTags = new ArrayList<>(3);
            for (int t = random.nextInt(1, 4); t > 0; t--) {
                unitTags.add("tag-" + random.nextInt(500));
            }
            state.tags.add(unitTags);
        }
        return state;
    }

    public int accounts() {
        return accounts.size();
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof MixedState)) {
            return false;
        }
        MixedState m = (MixedState) o;
        return accounts.equals(m.accounts) && events.equals(m.events) && Arrays.equals(series, m.series)
                && Arrays.equals(counters, m.counters) && tags.equals(m.tags);
    }

    @Override
    public int hashCode() {
        return Objects.hash(accounts, events, Arrays.hashCode(series), Arrays.hashCode(counters), tags);
    }
}
