package io.stasis.agent.internal.metrics;

/**
 * JMX: {@code io.stasis:type=Restore}, what this JVM restored when it started. The attribute names
 * are a public contract. Roots are restored as their owners appear, so the counts move after start-up.
 */
public interface RestoreMBean {

    /** {@code snapshot}, {@code image} or {@code none}. */
    String getSource();

    /** The restored snapshot's sequence number; -1 unless a snapshot was restored. */
    long getSnapshotSequence();

    /** How old the restored state was when this JVM started; -1 when nothing was restored. */
    long getSnapshotAgeAtRestoreMillis();

    /** Reading and verifying the snapshot at start-up plus applying each root so far. */
    double getRestoreMillis();

    long getRootsRestored();

    /** Roots whose owner has not appeared yet; new snapshots carry them forward. */
    long getRootsPending();

    /** Roots that could not be applied (refused by allow, unreadable, incompatible). */
    long getRootsRefused();
}
