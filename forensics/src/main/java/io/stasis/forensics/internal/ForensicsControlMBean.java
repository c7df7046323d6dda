package io.stasis.forensics.internal;

/**
 * JMX: {@code io.stasis:type=Forensics}. What {@code stasis-agent.jar incident PID} calls, and the
 * counters an operator alerts on. The attribute names are a public contract.
 */
public interface ForensicsControlMBean {

    /** Captures a bundle now; returns its path once written (waits up to two minutes). */
    String incident(String reason) throws Exception;

    String getDirectory();

    long getBundlesWritten();

    long getIncidentsSuppressed();

    /** Incidents the budget refused: the same fingerprint within forensics.window, or over forensics.rate. */
    long getBundlesDroppedByBudget();

    /** Bundles deleted to stay within forensics.disk-budget. */
    long getBundlesDeletedByDiskBudget();

    /** When the latest bundle was written; 0 if none. */
    long getLastBundleEpochMillis();
}
