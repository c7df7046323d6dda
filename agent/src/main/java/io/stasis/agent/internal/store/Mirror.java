package io.stasis.agent.internal.store;

import io.stasis.agent.internal.Log;
import io.stasis.agent.internal.metrics.MirrorStats;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code mirror=s3://…}: copies each snapshot committed to the local store to the mirror, after
 * the checkpoint, on one daemon thread of its own. A checkpoint only notes its sequence
 * ({@link #committed}, which never blocks); the thread sends the snapshots noted in order, oldest
 * first (each with every pack its manifest names, {@link MirrorCopy}), passing over those the local
 * retention removed before they were sent, then applies retention on the mirror. What cannot be
 * sent is retried with backoff, up to a minute apart; an unreachable or fenced mirror is said once,
 * then at most once a minute, and checkpoints carry on locally.
 */
public final class Mirror implements AutoCloseable {

    /** Opens the mirror's objects; called on the mirror's thread, again after a failure. */
    public interface Opener {
        BlobStore open() throws IOException;
    }

    /** Local commits remembered while the mirror lags (their times make the lag); more are thinned out. */
    static final int MAX_PENDING = 1024;
    private static final Duration FIRST_RETRY = Duration.ofSeconds(1);
    private static final Duration MAX_RETRY = Duration.ofMinutes(1);
    private static final long LOG_EVERY_MILLIS = 60_000;
    private static final Pattern PACK = Pattern.compile("pack-(\\d{16})\\.pack$");

    private final FileSnapshotStore local;
    private final String location;
    private final Opener opener;
    private final StoreKey key;
    private final boolean acceptPlain;
    private final int keep;
    private final MirrorStats stats;
    /** Snapshots committed locally and not yet on the mirror, by sequence: when each was committed. */
    private final TreeMap<Long, Long> pending = new TreeMap<>();
    private long mirrored = -1;
    /** When the oldest snapshot committed after the mirror's newest was committed, sent or not; 0: caught up. */
    private long behindSince;
    /** Sequences at or below it are taken on the mirror by another JVM's history: the next checkpoint goes above. */
    private volatile long floor;
    private boolean closed;
    private boolean busy;
    private Thread thread;
    /** The mirror opened to write; only the mirror's thread uses it. */
    private volatile FileSnapshotStore remote;
    /**
     * Whether the mirror may hold a gap: at first (what an earlier JVM left), and after a snapshot
     * was passed over; then retention looks at the manifests' parents, otherwise it need not.
     */
    private volatile boolean maybeGap = true;
    /** When each kind of failure was last said: each at most once a minute. */
    private final Map<String, Long> lastSaid = new java.util.HashMap<>();
    private boolean failing;

    public Mirror(FileSnapshotStore local, String location, Opener opener, StoreKey key, boolean acceptPlain, int keep,
                  MirrorStats stats) {
        this.local = local;
        this.location = location;
        this.opener = opener;
        this.key = key;
        this.acceptPlain = acceptPlain;
        this.keep = keep;
        this.stats = stats;
    }

    public synchronized void start() {
        thread = new Thread(this::run, "stasis-mirror");
        thread.setDaemon(true);
        thread.start();
    }

    /** Snapshot {@code sequence} is committed locally: to be sent. Never waits for the mirror. */
    public synchronized void committed(long sequence) {
        if (sequence <= mirrored) {
            return;
        }
        if (pending.size() >= MAX_PENDING) {
            pending.pollFirstEntry(); // long retired locally (keep); the lag still counts from it (behindSince)
            maybeGap = true;
        }
        long now = System.currentTimeMillis();
        pending.put(sequence, now);
        if (behindSince == 0) {
            behindSince = now;
            stats.behindSince(now);
        }
        notifyAll();
    }

    /** The least sequence the next local snapshot may take, so as not to collide on the mirror; 0: any. */
    public long floor() {
        return floor;
    }

    /**
     * Waits, at most {@code timeout}, until every snapshot noted so far is on the mirror (or was
     * passed over for a newer one): before this JVM exits, for its last checkpoint.
     *
     * @return whether it caught up
     */
    public synchronized boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while ((!pending.isEmpty() || busy) && !closed) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return pending.isEmpty();
    }

    /** Lets another JVM take the mirror over at once (after this JVM's last snapshot is sent). */
    public synchronized void releaseWriter() {
        if (remote != null && !busy) {
            try {
                remote.releaseWriter();
            } catch (IOException | RuntimeException e) {
                // the lease lapses by itself
            }
        }
    }

    private void run() {
        Duration retry = Duration.ZERO;
        while (true) {
            long target;
            synchronized (this) {
                try {
                    long until = System.nanoTime() + retry.toNanos();
                    while (!closed && (pending.isEmpty() || System.nanoTime() < until)) {
                        long left = pending.isEmpty() ? 0 : (until - System.nanoTime()) / 1_000_000;
                        wait(Math.max(left, pending.isEmpty() ? 0 : 1));
                    }
                } catch (InterruptedException e) {
                    return;
                }
                if (closed) {
                    return;
                }
                target = pending.firstKey();
                busy = true;
            }
            try {
                boolean sent = MirrorCopy.copy(local, remote(), target);
                done(target, sent);
                retry = Duration.ZERO;
                retain();
            } catch (SnapshotRemovedException e) {
                // Retired locally before it was sent (the mirror lagged by more than keep): never sent.
                // A local fact, found before the mirror is asked anything: the next one is tried at once.
                retry = Duration.ZERO;
                synchronized (this) {
                    pending.remove(target); // the lag still counts from when it was committed
                }
                maybeGap = true;
            } catch (MirrorCopy.Conflict e) {
                // Never sent under that name: passed over, and the next checkpoint is numbered after the mirror's.
                raiseFloor();
                synchronized (this) {
                    pending.remove(target);
                }
                failed("conflict", "holds another JVM's snapshots under this store's names (" + e.getMessage()
                        + "): passed over, and the next checkpoint is numbered after them; if this repeats, give mirror="
                        + " a prefix of its own or empty the local dir", e);
                retry = Duration.ZERO;
            } catch (StoreLockedException e) {
                failed("fenced", "is fenced: " + e.getMessage() + "; snapshots stay local until its lease lapses", e);
                retry = next(retry);
            } catch (IOException | RuntimeException | LinkageError e) {
                // The same client is used again (it reconnects): its lease stays this JVM's.
                failed("unreachable", "cannot be written: " + Log.describe(e) + "; checkpoints carry on locally,"
                        + " retrying", e);
                retry = next(retry);
            } finally {
                synchronized (this) {
                    busy = false;
                    notifyAll();
                }
            }
        }
    }

    private synchronized void done(long target, boolean sent) {
        mirrored = Math.max(mirrored, target);
        pending.headMap(target, true).clear();
        behindSince = pending.isEmpty() ? 0 : pending.firstEntry().getValue();
        stats.behindSince(behindSince);
        stats.uploaded(target);
        if (failing) {
            failing = false;
            Log.info("mirror " + location + " is written again: snapshot " + target + (sent ? " sent" : " was there"));
        }
    }

    /**
     * The local store's rule ({@code keep}) on the mirror, less any snapshots below a gap: the mirror
     * passes over snapshots while it lags, and a store's snapshots are a run without gaps
     * ({@code verify}), so what is kept is the newest run in which each snapshot's parent is present.
     */
    private void retain() {
        try {
            if (!maybeGap) {
                remote.retain(keep);
                return;
            }
            java.util.List<SnapshotRef> refs = remote.list();
            int run = contiguous(refs);
            remote.retain(run);
            maybeGap = false; // what is left is one run; sending in order keeps it one
        } catch (IOException | RuntimeException e) {
            logAtMostOnceAMinute("retention", "mirror " + location + ": older snapshots could not be removed (keep=" + keep + "): "
                    + Log.describe(e) + "; tried again after the next upload");
        }
    }

    /** The most of the newest {@code keep} snapshots that hold no gap, by the manifests' parents; at least 1. */
    private int contiguous(java.util.List<SnapshotRef> refs) throws IOException {
        for (int k = Math.min(keep, refs.size()); k > 1; k--) {
            java.util.List<SnapshotRef> run = refs.subList(0, k);
            long oldest = run.get(k - 1).sequence();
            java.util.Set<Long> present = new java.util.HashSet<>();
            run.forEach(r -> present.add(r.sequence()));
            boolean whole = true;
            for (SnapshotRef ref : run) {
                long parent;
                try {
                    parent = remote.manifest(ref).parent();
                } catch (CorruptSnapshotException e) {
                    parent = Long.MAX_VALUE; // unreadable: no run goes through it
                }
                if (parent > oldest && !present.contains(parent)) {
                    whole = false;
                    break;
                }
            }
            if (whole) {
                return k;
            }
        }
        return 1;
    }

    private FileSnapshotStore remote() throws IOException {
        if (remote == null) {
            BlobStore blobs = opener.open();
            try {
                remote = FileSnapshotStore.openForWriting(blobs, key, acceptPlain);
            } catch (IOException | RuntimeException e) {
                blobs.close();
                throw e;
            }
        }
        if (remote.blobs().holdWriter()) {
            raiseFloor(); // taken over just now: what the writer before wrote counts
        }
        return remote;
    }

    private void raiseFloor() {
        maybeGap = true; // another writer's snapshots: the next one sent does not follow them
        try {
            if (remote != null) {
                long highest = remote.list().stream().mapToLong(SnapshotRef::sequence).max().orElse(0);
                for (BlobStore.Entry pack : remote.blobs().list(StoreNames.PACKS + "/pack-")) {
                    Matcher m = PACK.matcher(pack.name());
                    if (m.find()) {
                        highest = Math.max(highest, Long.parseLong(m.group(1)));
                    }
                }
                floor = Math.max(floor, highest + 1);
            }
        } catch (IOException | RuntimeException e) {
            // the next attempt tries again
        }
    }

    private void failed(String kind, String what, Throwable e) {
        stats.failed();
        synchronized (this) {
            failing = true;
        }
        logAtMostOnceAMinute(kind, "mirror " + location + " " + what);
    }

    private synchronized void logAtMostOnceAMinute(String kind, String message) {
        long now = System.currentTimeMillis();
        Long last = lastSaid.get(kind);
        if (last == null || now - last >= LOG_EVERY_MILLIS) {
            lastSaid.put(kind, now);
            Log.warn(message);
        }
    }

    private static Duration next(Duration retry) {
        Duration doubled = retry.isZero() ? FIRST_RETRY : retry.multipliedBy(2);
        return doubled.compareTo(MAX_RETRY) > 0 ? MAX_RETRY : doubled;
    }

    @Override
    public void close() throws InterruptedException {
        Thread running;
        synchronized (this) {
            closed = true;
            notifyAll();
            running = thread;
        }
        if (running != null) {
            running.join(Duration.ofSeconds(5).toMillis());
        }
        FileSnapshotStore opened = remote;
        if (opened != null && (running == null || !running.isAlive())) {
            try {
                opened.close();
            } catch (IOException | RuntimeException e) {
                // closing: nothing more is sent
            }
        }
    }
}
