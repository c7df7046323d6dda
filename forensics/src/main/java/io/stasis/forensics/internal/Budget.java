package io.stasis.forensics.internal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Decides whether an incident becomes a bundle: one per fingerprint per window, at most
 * {@code rateCount} per {@code ratePeriod} in all; and keeps the bundles on disk within a byte
 * budget, oldest first. {@link #admit} runs on the thread that saw the incident (possibly an
 * application thread in an exception storm), so the common "no" is a map lookup.
 */
public final class Budget {

    private static final int MAX_FINGERPRINTS = 10_000;

    private final long windowNanos;
    private final int rateCount;
    private final long ratePeriodNanos;
    private final long diskBudget;
    private final ConcurrentHashMap<String, Long> lastAdmitted = new ConcurrentHashMap<>();
    private final ArrayDeque<Long> recent = new ArrayDeque<>();
    private final AtomicLong suppressedByWindow = new AtomicLong();
    private final AtomicLong suppressedByRate = new AtomicLong();

    public Budget(long windowNanos, int rateCount, long ratePeriodNanos, long diskBudget) {
        this.windowNanos = windowNanos;
        this.rateCount = rateCount;
        this.ratePeriodNanos = ratePeriodNanos;
        this.diskBudget = diskBudget;
    }

    /**
     * Whether an incident with this fingerprint may be captured now; if so, it is counted. A manual
     * request (an operator's, or a heap dump that must not stay unencrypted) passes both limits and
     * is still counted in the rate.
     */
    public boolean admit(String fingerprint, boolean manual) {
        long now = System.nanoTime();
        Long last = lastAdmitted.get(fingerprint);
        if (!manual && last != null && now - last < windowNanos) {
            suppressedByWindow.incrementAndGet();
            return false;
        }
        synchronized (recent) {
            while (!recent.isEmpty() && now - recent.peekFirst() >= ratePeriodNanos) {
                recent.pollFirst();
            }
            if (!manual && recent.size() >= rateCount) {
                suppressedByRate.incrementAndGet();
                return false;
            }
            last = lastAdmitted.get(fingerprint);
            if (!manual && last != null && now - last < windowNanos) {
                suppressedByWindow.incrementAndGet();
                return false;
            }
            recent.addLast(now);
            if (lastAdmitted.size() >= MAX_FINGERPRINTS) {
                lastAdmitted.entrySet().removeIf(e -> now - e.getValue() >= windowNanos);
            }
            lastAdmitted.put(fingerprint, now);
            return true;
        }
    }

    /** Whether {@code key} was admitted or {@link #mark marked} within the window; counted as suppressed if so. */
    public boolean recentlyAdmitted(String key) {
        Long last = lastAdmitted.get(key);
        if (last != null && System.nanoTime() - last < windowNanos) {
            suppressedByWindow.incrementAndGet();
            return true;
        }
        return false;
    }

    /** Records {@code key} as admitted now, without counting it in the rate (a coarser key of an admitted incident). */
    public void mark(String key) {
        lastAdmitted.put(key, System.nanoTime());
    }

    public long suppressedByWindow() {
        return suppressedByWindow.get();
    }

    public long suppressedByRate() {
        return suppressedByRate.get();
    }

    /**
     * Deletes the oldest bundles until those left fit the budget; the newest one ({@code keep}) stays
     * even if it alone is larger, so the latest evidence is never thrown away by its own size.
     *
     * @return the bundles deleted
     */
    public List<Path> enforceDisk(Path dir, Path keep) throws IOException {
        List<Path> bundles = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.age")) {
            files.forEach(bundles::add);
        }
        bundles.sort(Comparator.comparing((Path p) -> p.getFileName().toString()));
        long total = 0;
        for (Path p : bundles) {
            total += size(p);
        }
        List<Path> deleted = new ArrayList<>();
        for (Path p : bundles) {
            if (total <= diskBudget) {
                break;
            }
            if (p.equals(keep)) {
                continue;
            }
            long size = size(p);
            Files.deleteIfExists(p);
            total -= size;
            deleted.add(p);
        }
        return deleted;
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return 0;
        }
    }
}
