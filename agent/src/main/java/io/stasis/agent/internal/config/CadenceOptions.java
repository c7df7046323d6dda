package io.stasis.agent.internal.config;

import io.stasis.agent.internal.cadence.Cadence;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * How often periodic checkpoints run: {@code interval} (a duration, or {@code auto}), and for
 * {@code auto} the {@code pause-budget} and the bounds {@code interval.min} and {@code interval.max}.
 * {@code interval.max} is also the ceiling of backing off after failures, for a fixed interval too.
 *
 * @param auto        the interval adapts to measured pauses and write times
 * @param fixed       the interval when not {@code auto}
 * @param pauseBudget the share of wall time pauses may take ({@code auto})
 * @param budgetText  {@code pause-budget} as written
 * @param min         the first and the shortest interval ({@code auto})
 * @param max         the longest interval ({@code auto}), and the ceiling of backing off
 */
public record CadenceOptions(boolean auto, Duration fixed, double pauseBudget, String budgetText, Duration min,
                             Duration max) {

    static final Set<String> KEYS = Set.of("pause-budget", "interval.min", "interval.max");
    static final String DEFAULT_BUDGET = "1%";
    static final Duration DEFAULT_MIN = Duration.ofSeconds(5);
    static final Duration DEFAULT_MAX = Duration.ofMinutes(5);
    /** A pause of more than half the wall time is not a budget. */
    private static final double MAX_BUDGET_PERCENT = 50;

    /** The policy that schedules checkpoints with these options. */
    public Cadence cadence() {
        return auto ? Cadence.adaptive(pauseBudget, min, max) : Cadence.fixed(fixed, max);
    }

    /** The first interval: the fixed one, or {@code interval.min} until pauses have been measured. */
    public Duration first() {
        return auto ? min : fixed;
    }

    /**
     * @param interval the parsed {@code interval}: {@code null} for off or auto
     * @return {@code null} when {@code interval=off}
     */
    static CadenceOptions parse(String intervalText, Duration interval, Map<String, String> values,
                                Parser<Duration> durations) {
        boolean auto = intervalText.equalsIgnoreCase("auto");
        if (!auto) {
            for (String key : new String[] {"pause-budget", "interval.min"}) {
                if (values.containsKey(key)) {
                    throw new OptionsException("option '" + key + "' is set but interval is not auto (write interval=auto)");
                }
            }
        }
        if (interval == null && !auto) {
            if (values.containsKey("interval.max")) {
                throw new OptionsException("option 'interval.max' is set but interval is off (write interval=auto or a"
                        + " duration)");
            }
            return null;
        }
        String budgetText = values.getOrDefault("pause-budget", DEFAULT_BUDGET);
        double budget = budget(budgetText);
        Duration min = values.containsKey("interval.min") ? durations.parse("interval.min", values.get("interval.min"))
                : DEFAULT_MIN;
        Duration max = values.containsKey("interval.max") ? durations.parse("interval.max", values.get("interval.max"))
                : auto ? DEFAULT_MAX : interval.compareTo(DEFAULT_MAX) > 0 ? interval : DEFAULT_MAX;
        if (auto && min.compareTo(max) > 0) {
            throw new OptionsException("option 'interval.min' (" + values.getOrDefault("interval.min", "5s")
                    + ") is longer than interval.max (" + values.getOrDefault("interval.max", "5m")
                    + "): make interval.min at most interval.max");
        }
        if (!auto && max.compareTo(interval) < 0) {
            throw new OptionsException("option 'interval.max' (" + values.get("interval.max") + ") is shorter than interval ("
                    + intervalText + "): it is the longest a failing checkpoint's retry waits; make it at least the interval");
        }
        return new CadenceOptions(auto, auto ? null : interval, budget, budgetText, min, max);
    }

    private static double budget(String text) {
        String number = OptionText.percent(text);
        if (number != null) {
            // At most three digits and four decimals: a double compares them exactly enough, and
            // BigDecimal's first use costs about 20 ms of start-up on JDK 25.
            double percent = Double.parseDouble(number);
            if (percent > 0 && percent <= MAX_BUDGET_PERCENT) {
                return percent / 100;
            }
        }
        throw new OptionsException("option 'pause-budget' has a bad value '" + text
                + "': expected a share of wall time above 0% and at most 50%, such as 1% or 0.5%");
    }

    /** How a duration option is read (the parser's, with its messages). */
    interface Parser<T> {
        T parse(String key, String value);
    }
}
