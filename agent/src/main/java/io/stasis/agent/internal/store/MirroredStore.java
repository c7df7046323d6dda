package io.stasis.agent.internal.store;

import io.stasis.agent.internal.Log;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

/**
 * A local store with a mirror ({@code mirror=s3://…}): checkpoints are written to the local store
 * and handed to the {@link Mirror}, which sends them after the checkpoint; restore takes the newest
 * snapshot that verifies from either side, the local copy first, so that a JVM with an empty (or
 * damaged) local store resumes from the mirror.
 */
public final class MirroredStore implements SnapshotStore {

    /**
     * Added to the numbers of this JVM's snapshots when the mirror's cannot be known at start-up:
     * another JVM writes it (the old pod still alive, which goes on numbering its own), or it cannot
     * be read. This JVM's must never meet those on the mirror, where names are never replaced.
     */
    static final long AWAY_FROM_OTHERS = 1_000_000;

    /** How long the last checkpoint of an exiting JVM may wait to reach the mirror. */
    static final Duration EXIT_UPLOAD = Duration.ofSeconds(10);

    private final FileSnapshotStore local;
    /** The mirror to restore from, or {@code null} if it could not be read at start-up. */
    private final FileSnapshotStore remote;
    /** Sends checkpoints, or {@code null} when this JVM takes none. */
    private final Mirror mirror;
    private final String location;
    /** The next sequence above every snapshot and pack the mirror held at start-up. */
    private final long remoteNext;
    private volatile Set<Long> onLocal = Set.of();
    private volatile Set<Long> onRemote = Set.of();

    public MirroredStore(FileSnapshotStore local, FileSnapshotStore remote, Mirror mirror, String location) {
        this.local = local;
        this.remote = remote;
        this.mirror = mirror;
        this.location = location;
        this.remoteNext = firstSequence(local, remote, mirror != null, location);
    }

    /**
     * Above the mirror's snapshots and packs; a million further when its numbers cannot be known
     * now (another JVM writes it, or it cannot be read), so that none of this JVM's names ever
     * meets one already there or still to come from that writer: names on the mirror are never replaced.
     */
    private static long firstSequence(FileSnapshotStore local, FileSnapshotStore remote, boolean writing,
                                      String location) {
        long next;
        try {
            next = local.nextSequence();
        } catch (IOException | RuntimeException e) {
            return 0; // the checkpoint says what is wrong with the local store
        }
        String unknown; // why the mirror's numbers cannot be known now; null if they can
        try {
            if (remote == null) {
                unknown = "cannot be read now";
            } else {
                next = Math.max(next, remote.nextSequence());
                unknown = writing && remote.writerLive() ? "is written by another JVM now" : null;
            }
        } catch (IOException | RuntimeException e) {
            unknown = "cannot be listed (" + Log.describe(e) + ")";
        }
        if (!writing || unknown == null) {
            return next;
        }
        next += AWAY_FROM_OTHERS;
        Log.warn("mirror " + location + " " + unknown + ": this JVM's snapshots are numbered from " + next + " so as"
                + " never to meet another's there; they are sent once this JVM holds the mirror's lease");
        return next;
    }

    @Override
    public long nextSequence() throws IOException {
        long next = Math.max(local.nextSequence(), remoteNext);
        return mirror == null ? next : Math.max(next, mirror.floor());
    }

    @Override
    public SnapshotRef write(Snapshot snapshot) throws IOException {
        SnapshotRef ref = local.write(snapshot);
        if (mirror != null) {
            mirror.committed(ref.sequence());
        }
        return ref;
    }

    /** Both sides' snapshots, newest first; one held by both is listed once. */
    @Override
    public List<SnapshotRef> list() throws IOException {
        TreeMap<Long, SnapshotRef> all = new TreeMap<>(Comparator.reverseOrder());
        Set<Long> there = new HashSet<>();
        if (remote != null) {
            try {
                for (SnapshotRef ref : remote.list()) {
                    all.put(ref.sequence(), ref);
                    there.add(ref.sequence());
                }
            } catch (IOException | RuntimeException e) {
                Log.warn("mirror " + location + " cannot be listed (" + Log.describe(e) + "): restoring from the local"
                        + " store only");
            }
        }
        Set<Long> here = new HashSet<>();
        for (SnapshotRef ref : local.list()) {
            all.put(ref.sequence(), ref);
            here.add(ref.sequence());
        }
        onLocal = here;
        onRemote = there;
        return new ArrayList<>(all.values());
    }

    @Override
    public List<String> foreign() throws IOException {
        return local.foreign();
    }

    /** The local copy if it verifies, else the mirror's; a mirror that cannot be read counts as damage. */
    @Override
    public Snapshot read(SnapshotRef ref) throws IOException {
        if (onLocal.contains(ref.sequence())) {
            try {
                return local.read(ref);
            } catch (CorruptSnapshotException e) {
                if (!onRemote.contains(ref.sequence())) {
                    throw e;
                }
                Log.warn("snapshot " + ref.id() + " in " + local.location() + " does not verify (" + e.getMessage()
                        + "): reading the mirror's copy in " + location);
            }
        }
        try {
            return remote.read(ref);
        } catch (CorruptSnapshotException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            CorruptSnapshotException unreadable = new CorruptSnapshotException("snapshot " + ref.id()
                    + " could not be read from the mirror " + location + ": " + Log.describe(e));
            unreadable.initCause(e);
            throw unreadable;
        }
    }

    /**
     * A group's aborted epoch: removed locally, so the mirror passes it over as it does a snapshot
     * retired before it was sent; one uploaded already stays there until the mirror's retention,
     * and no group restores it, since no commit record names it.
     */
    @Override
    public void discard(SnapshotRef ref) throws IOException {
        local.discard(ref);
    }

    /** The local store's retention; the mirror applies the same after each upload. */
    @Override
    public void retain(int keep) throws IOException {
        local.retain(keep);
    }

    @Override
    public void suspendWriting() throws IOException {
        local.suspendWriting();
    }

    @Override
    public void resumeWriting() throws IOException {
        local.resumeWriting();
    }

    /** After the last checkpoint: waits (bounded) for it to reach the mirror, then lets the mirror's lease go. */
    @Override
    public void releaseWriter() throws IOException {
        local.releaseWriter();
        if (mirror != null) {
            try {
                if (!mirror.awaitCaughtUp(EXIT_UPLOAD)) {
                    Log.warn("mirror " + location + ": the last snapshot was not sent within " + EXIT_UPLOAD.toSeconds()
                            + "s; it stays in the local store, and the next JVM on it sends it");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            mirror.releaseWriter();
        }
    }

    @Override
    public void close() throws IOException {
        try {
            if (mirror != null) {
                mirror.close();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (remote != null) {
                remote.close();
            }
        }
    }
}
