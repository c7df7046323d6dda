package io.stasis.forensics;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What forensics captures, when, and within which budgets. Built by the agent from its
 * {@code forensics.*} options; every value here has been checked.
 *
 * @param dir                where encrypted bundles are written ({@code <dir>/forensics} by default)
 * @param recipients         age X25519 recipients ({@code age1...}); never empty
 * @param onUncaught         an uncaught exception is an incident
 * @param onDeadlock         a deadlock (monitors or {@code java.util.concurrent} locks) is an incident
 * @param deadlockCheck      how often deadlocks are looked for
 * @param onMemory           old-generation usage above {@code memoryThreshold} after a collection is an incident
 * @param memoryThreshold    percent of the old generation's maximum, 1–99
 * @param onGcPause          a collection longer than {@code gcPause} is an incident
 * @param gcPause            the longest acceptable collection
 * @param slowUnit           a unit of work ({@code @QuiescePoint}) running longer than this is an incident;
 *                           {@code null}: off
 * @param window             one bundle per incident fingerprint per window
 * @param rateCount          at most this many bundles ...
 * @param ratePeriod         ... per this period, whatever the fingerprints
 * @param diskBudget         bytes the bundles may take together; the oldest go first
 * @param histogram          put a class histogram in each bundle (it runs a full collection)
 * @param jfr                keep a rolling JFR recording and put its last minutes in each bundle
 * @param jfrMaxAge          how much of the recording is kept
 * @param jfrMaxSize         and at most this many bytes of it
 * @param state              put the {@code @Checkpointed} state in each bundle
 * @param stateTimeout       how long the state capture waits for units of work to drain
 * @param heapDump           put a full heap dump in each bundle
 * @param heapDumpOnOom      make the JVM dump its heap on OutOfMemoryError (into a private directory) and encrypt it
 * @param oomReserve         bytes held in reserve and released when an OutOfMemoryError is the trigger
 * @param allowProperties    system properties whose values appear (patterns with {@code *}); others are masked
 * @param allowEnv           environment variables whose values appear; by default none do
 * @param agentVersion       for the manifest
 */
public record ForensicsConfig(Path dir, List<String> recipients,
                              boolean onUncaught, boolean onDeadlock, Duration deadlockCheck,
                              boolean onMemory, int memoryThreshold, boolean onGcPause, Duration gcPause,
                              Duration slowUnit,
                              Duration window, int rateCount, Duration ratePeriod, long diskBudget,
                              boolean histogram, boolean jfr, Duration jfrMaxAge, long jfrMaxSize,
                              boolean state, Duration stateTimeout, boolean heapDump, boolean heapDumpOnOom,
                              long oomReserve, List<String> allowProperties, List<String> allowEnv,
                              String agentVersion) {

    public ForensicsConfig {
        recipients = List.copyOf(recipients);
        allowProperties = List.copyOf(allowProperties);
        allowEnv = List.copyOf(allowEnv);
        if (recipients.isEmpty()) {
            throw new IllegalArgumentException("no recipient");
        }
    }
}
