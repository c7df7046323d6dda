package io.stasis.agent.internal.instrument;

import io.stasis.agent.internal.Log;
import io.stasis.agent.internal.config.AgentOptions;
import io.stasis.agent.internal.config.MemberPattern;
import java.lang.instrument.Instrumentation;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which {@code fields} and {@code quiesce} patterns have matched a member of a loaded class. A
 * pattern with a typo ({@code com.acme.Cahce#*}) would otherwise start fine and save nothing
 * forever, so the ones that match nothing are named: once after start-up, once at the first
 * checkpoint.
 */
public final class PatternUsage {

    private static final Duration MAIN_CLASS_WAIT = Duration.ofMinutes(1);
    private static final long POLL_MILLIS = 100;

    private final Instrumentation instrumentation;
    private final List<MemberPattern> fields;
    private final List<MemberPattern> quiesce;
    private final Set<MemberPattern> matched = ConcurrentHashMap.newKeySet();

    PatternUsage(Instrumentation instrumentation, AgentOptions options) {
        this.instrumentation = instrumentation;
        this.fields = options.fields();
        this.quiesce = options.quiesce();
    }

    void matched(MemberPattern pattern) {
        matched.add(pattern);
    }

    /**
     * Once the application's main class has been loaded (waiting for it at most a minute): classes
     * may still load later, so this says "so far".
     */
    public void warnUnmatchedAfterMainClass() throws InterruptedException {
        if (fields.isEmpty() && quiesce.isEmpty()) {
            return;
        }
        String main = MainClass.name();
        long deadline = System.nanoTime() + MAIN_CLASS_WAIT.toNanos();
        while (main != null && !MainClass.loaded(instrumentation, main) && System.nanoTime() < deadline) {
            Thread.sleep(POLL_MILLIS);
        }
        warn(fields, "fields", "field");
        warn(quiesce, "quiesce", "method");
    }

    /**
     * At the first checkpoint, which holds nothing of what the unmatched {@code fields} patterns
     * meant; unless the main class is still loading, when it is too soon to tell.
     */
    public void warnUnmatchedAtCheckpoint(String checkpoint) {
        String main = MainClass.name();
        if (fields.isEmpty() || main != null && !MainClass.loaded(instrumentation, main)) {
            return;
        }
        for (MemberPattern pattern : fields) {
            if (!matched.contains(pattern)) {
                Log.warn("checkpoint " + checkpoint + " holds nothing for option 'fields' pattern '" + pattern.text()
                        + "': it still matches no field of any loaded class");
            }
        }
    }

    private void warn(List<MemberPattern> patterns, String option, String member) {
        for (MemberPattern pattern : patterns) {
            if (!matched.contains(pattern)) {
                Log.warn("option '" + option + "' pattern '" + pattern.text() + "' has matched no " + member
                        + " of any class loaded so far: check the class and " + member + " names (CLASS#" 
                        + member.toUpperCase(java.util.Locale.ROOT) + ", '*' matches any run of characters, "
                        + "nested classes are Outer$Inner)");
            }
        }
    }
}
