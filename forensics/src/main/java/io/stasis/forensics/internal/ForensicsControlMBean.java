package io.stasis.forensics.internal;

/** JMX: {@code io.stasis:type=Forensics}. What {@code stasis-agent.jar incident PID} calls. */
public interface ForensicsControlMBean {

    /** Captures a bundle now; returns its path once written (waits up to two minutes). */
    String incident(String reason) throws Exception;

    String getDirectory();

    long getBundlesWritten();

    long getIncidentsSuppressed();
}
