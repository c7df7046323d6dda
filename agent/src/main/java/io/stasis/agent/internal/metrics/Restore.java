package io.stasis.agent.internal.metrics;

/** The {@link RestoreMBean} over its recorder. */
final class Restore implements RestoreMBean {

    private final RestoreStats stats;

    Restore(RestoreStats stats) {
        this.stats = stats;
    }

    @Override
    public String getSource() {
        return stats.source();
    }

    @Override
    public long getSnapshotSequence() {
        return stats.sequence();
    }

    @Override
    public long getSnapshotAgeAtRestoreMillis() {
        return stats.ageAtRestoreMillis();
    }

    @Override
    public double getRestoreMillis() {
        return stats.restoreNanos() / 1e6;
    }

    @Override
    public long getRootsRestored() {
        return stats.rootsRestored();
    }

    @Override
    public long getRootsPending() {
        return stats.rootsPending();
    }

    @Override
    public long getRootsRefused() {
        return stats.rootsRefused();
    }
}
