package io.stasis.agent.internal.metrics;

import java.util.function.LongSupplier;
import java.util.function.UnaryOperator;

/** The {@link CheckpointsMBean} over the recorders; every value is read when asked for. */
final class Checkpoints implements CheckpointsMBean {

    private final CheckpointStats stats;
    private final StoreStats store;
    private final LongSupplier storeBytes;
    private final UnaryOperator<String> checkpoint;
    private final MirrorStats mirror;

    Checkpoints(CheckpointStats stats, StoreStats store, LongSupplier storeBytes, MirrorStats mirror,
                UnaryOperator<String> checkpoint) {
        this.mirror = mirror;
        this.stats = stats;
        this.store = store;
        this.storeBytes = storeBytes;
        this.checkpoint = checkpoint;
    }

    @Override
    public long getAttempts() {
        return stats.attempts();
    }

    @Override
    public long getSuccesses() {
        return stats.successes();
    }

    @Override
    public long getFailures() {
        return stats.failures();
    }

    @Override
    public long getRetries() {
        return stats.retries();
    }

    @Override
    public long getLastSuccessEpochMillis() {
        return stats.lastSuccessEpochMillis();
    }

    @Override
    public long getLastSuccessAgeMillis() {
        return stats.lastSuccessAgeMillis(System.currentTimeMillis());
    }

    @Override
    public double getLastPauseMillis() {
        return stats.lastPauseNanos() / 1e6;
    }

    @Override
    public double getLastDurationMillis() {
        return stats.lastDurationNanos() / 1e6;
    }

    @Override
    public double getLastPublishMillis() {
        return store.lastPublishNanos() / 1e6;
    }

    @Override
    public long getLastSizeBytes() {
        return stats.lastSizeBytes();
    }

    @Override
    public long getLastStoredBytes() {
        return store.lastStoredBytes();
    }

    @Override
    public long getStoreBytes() {
        return storeBytes.getAsLong();
    }

    @Override
    public long getVerificationFailures() {
        return store.verificationFailures();
    }

    @Override
    public long getIntervalMillis() {
        return stats.intervalMillis();
    }

    @Override
    public String getLastFailure() {
        return stats.lastFailure();
    }

    @Override
    public long getLastFailureEpochMillis() {
        return stats.lastFailureEpochMillis();
    }

    @Override
    public String getLastOutcome() {
        return stats.lastOutcome();
    }

    @Override
    public long getNextDueEpochMillis() {
        return stats.nextDueEpochMillis();
    }

    @Override
    public long getMaxAgeMillis() {
        return stats.maxAgeMillis();
    }

    @Override
    public boolean isStale() {
        return stats.stale(System.currentTimeMillis());
    }

    @Override
    public long getMirrorLagMillis() {
        return mirror.lagMillis(System.currentTimeMillis());
    }

    @Override
    public long getMirrorFailures() {
        return mirror.failures();
    }

    @Override
    public String checkpoint(String reason) {
        return checkpoint.apply(reason == null || reason.isBlank() ? "jmx" : reason);
    }
}
