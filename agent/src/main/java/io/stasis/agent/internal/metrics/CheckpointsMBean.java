package io.stasis.agent.internal.metrics;

/**
 * JMX: {@code io.stasis:type=Checkpoints}, this JVM's checkpoints. The attribute names are a public
 * contract (exporters and dashboards read them); times are in milliseconds, sizes in bytes. Values
 * that do not exist yet are 0 ({@code LastSuccessEpochMillis}) or -1 ({@code LastSuccessAgeMillis}).
 */
public interface CheckpointsMBean {

    long getAttempts();

    long getSuccesses();

    long getFailures();

    /** Attempts made while the previous one had failed. */
    long getRetries();

    /** When the state of the latest committed checkpoint was cut; 0 if none. */
    long getLastSuccessEpochMillis();

    /** How old the latest committed state is, computed when read; -1 if none. */
    long getLastSuccessAgeMillis();

    /** How long the application was held for the latest committed checkpoint. */
    double getLastPauseMillis();

    /** From the cut until the latest committed checkpoint was durable. */
    double getLastDurationMillis();

    /** Writing and syncing the latest manifest, which publishes the snapshot. */
    double getLastPublishMillis();

    /** The latest committed checkpoint's state, serialized. */
    long getLastSizeBytes();

    /** What the latest committed checkpoint added to the store (new chunks and its manifest). */
    long getLastStoredBytes();

    /** What the store's snapshots occupy on disk now (manifests, packs, older-format files); -1 if unreadable. */
    long getStoreBytes();

    /** Snapshots found damaged or not authenticated when this JVM read them. */
    long getVerificationFailures();

    /** The period of automatic checkpoints now; 0 when off. */
    long getIntervalMillis();

    /** The latest failure's message; empty if none failed. */
    String getLastFailure();

    /** When the latest failure happened; 0 if none. */
    long getLastFailureEpochMillis();

    /** How the latest checkpoint ended: {@code none}, {@code success} or {@code failure}. */
    String getLastOutcome();

    /** When the next automatic checkpoint is due; 0 if none is scheduled. */
    long getNextDueEpochMillis();

    /** The {@code max-age} option; 0 when not set. */
    long getMaxAgeMillis();

    /** With {@code max-age}: no checkpoint has succeeded for that long. */
    boolean isStale();

    /**
     * With {@code mirror=s3://…}: how long the local store has held a snapshot the mirror does not
     * (the upload lag); 0 when the mirror is caught up, -1 without a mirror.
     */
    long getMirrorLagMillis();

    /** With {@code mirror=s3://…}: upload attempts that failed (the mirror unreachable, fenced, refusing). */
    long getMirrorFailures();

    /** Takes a checkpoint now and describes it; fails with the reason it could not be taken. */
    String checkpoint(String reason);
}
