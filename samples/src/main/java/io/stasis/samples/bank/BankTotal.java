package io.stasis.samples.bank;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Adds up the bank's money from the {@code state} lines its members print as restored: every
 * balance, plus each outbox's transfers that their receiver had not applied (those that it had are
 * in its balances already). With a consistent cut of the group this is what the bank opened with.
 *
 * <pre>java -cp samples/target/classes io.stasis.samples.bank.BankTotal EXPECTED a.log b.log c.log</pre>
 */
public final class BankTotal {

    static final Pattern STATE = Pattern.compile("state (\\w+) balance=(\\d+) outbox=(\\S*) applied=(\\S*)");

    private BankTotal() {
    }

    public static void main(String[] args) throws IOException {
        long expected = Long.parseLong(args[0]);
        List<String> states = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            String last = null;
            for (String line : Files.readAllLines(Path.of(args[i]))) {
                if (STATE.matcher(line).find()) {
                    last = line;
                }
            }
            if (last == null) {
                System.out.println(args[i] + " holds no state line");
                System.exit(1);
            }
            states.add(last);
        }
        long total = of(states);
        System.out.println("total " + total + ", opened with " + expected + ": " + (total == expected ? "OK" : "WRONG"));
        System.exit(total == expected ? 0 : 1);
    }

    /** The money in {@code stateLines}, one per member. */
    public static long of(Iterable<String> stateLines) {
        Map<String, Map<String, Long>> applied = new HashMap<>();
        Map<String, String> outboxes = new HashMap<>();
        long total = 0;
        for (String line : stateLines) {
            Matcher m = STATE.matcher(line);
            if (!m.find()) {
                throw new IllegalArgumentException("not a state line: " + line);
            }
            total += Long.parseLong(m.group(2));
            outboxes.put(m.group(1), m.group(3));
            Map<String, Long> byFrom = new HashMap<>();
            for (String entry : items(m.group(4))) {
                byFrom.put(entry.substring(0, entry.indexOf(':')), Long.parseLong(entry.substring(entry.indexOf(':') + 1)));
            }
            applied.put(m.group(1), byFrom);
        }
        for (Map.Entry<String, String> outbox : outboxes.entrySet()) {
            for (String entry : items(outbox.getValue())) {
                String[] parts = entry.split(":");
                if (Long.parseLong(parts[1]) > applied.getOrDefault(parts[0], Map.of()).getOrDefault(outbox.getKey(), 0L)) {
                    total += Long.parseLong(parts[2]);
                }
            }
        }
        return total;
    }

    private static List<String> items(String list) {
        return list.isEmpty() ? List.of() : List.of(list.split(","));
    }
}
