package io.stasis.agent.internal.store.s3.client;

import io.stasis.agent.internal.store.S3Location;
import io.stasis.agent.internal.store.StoreLockedException;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The writer's lease on a prefix: a numbered object {@code lease/epoch-N} per term, each created
 * with {@code If-None-Match: *}, so that of two writers trying to open term N exactly one
 * succeeds. The writer of the newest term holds the store while that term is younger than the
 * lease's duration, by the server's clock (its {@code Date} header against the object's
 * {@code Last-Modified}); it opens the next term to renew, at most every third of the duration.
 * A writer whose renewal finds a newer term than its own was fenced: another took over after its
 * term lapsed. Before each commit the writer checks, by its own monotonic clock, that less than the
 * duration less a margin has passed since its term was opened, so no other writer can have taken
 * over in between. A crashed holder's term simply lapses; one that stops in order opens a last
 * term that says {@code released}, which the next writer may follow at once.
 */
final class Lease {

    static final String FOLDER = "lease/";
    private static final Pattern EPOCH = Pattern.compile("epoch-(\\d{16})");
    private static final String RELEASED = "released\n";
    /** What a commit may take at most after the check; the lease's duration must be longer. */
    static final Duration MARGIN = Duration.ofSeconds(5);

    private final S3Client s3;
    private final S3Location where;
    private final Duration duration;
    private final String owner = UUID.randomUUID().toString();
    private long epoch = -1;
    private long openedNanos;

    Lease(S3Client s3, S3Location where, Duration duration) {
        this.s3 = s3;
        this.where = where;
        this.duration = duration;
    }

    /** @return {@code true} if the term was opened just now by a writer that did not hold the store */
    synchronized boolean hold() throws IOException {
        if (epoch >= 0 && System.nanoTime() - openedNanos < duration.toNanos() / 3) {
            return false;
        }
        long sent = System.nanoTime();
        Terms terms = terms();
        boolean taking = epoch < 0;
        if (!taking && terms.newest != epoch) {
            epoch = -1;
            throw fenced("another JVM took over " + where.url() + " after this JVM's writer lease lapsed (term "
                    + terms.newest + ")");
        }
        if (taking && terms.newest >= 0 && terms.age.compareTo(duration) < 0 && !released(terms.newest)) {
            throw new StoreLockedException("another JVM holds the writer lease of " + where.url() + " (term "
                    + terms.newest + ", renewed " + terms.age.toSeconds() + " s ago, lapses after " + duration.toSeconds()
                    + " s without renewal): this JVM takes no checkpoints meanwhile; give each JVM its own prefix");
        }
        long next = terms.newest + 1;
        try {
            s3.putObject(b -> b.bucket(where.bucket()).key(key(next)).ifNoneMatch("*"),
                    RequestBody.fromString("owner=" + owner + "\nduration=" + duration + "\n"));
        } catch (S3Exception e) {
            if (e.statusCode() == 412 || e.statusCode() == 409) {
                epoch = -1;
                throw fenced("another JVM opened term " + next + " of the writer lease of " + where.url() + " first");
            }
            throw e;
        }
        epoch = next;
        openedNanos = sent;
        for (long old : terms.all) {
            if (old < next) {
                s3.deleteObject(b -> b.bucket(where.bucket()).key(key(old)));
            }
        }
        return taking;
    }

    /** Whether some writer's term is in force now (by the server's clock), this JVM's included. */
    synchronized boolean live() {
        Terms terms = terms();
        return terms.newest >= 0 && terms.age.compareTo(duration) < 0 && !released(terms.newest);
    }

    /** Lets the next writer take over at once: a last term that says so. Nothing if not held. */
    synchronized void release() {
        if (epoch < 0) {
            return;
        }
        long last = epoch + 1;
        epoch = -1;
        try {
            s3.putObject(b -> b.bucket(where.bucket()).key(key(last)).ifNoneMatch("*"), RequestBody.fromString(RELEASED));
        } catch (S3Exception e) {
            // 412: another writer took over already; anything else: the term lapses by itself
        }
    }

    private boolean released(long term) {
        try {
            return s3.getObjectAsBytes(b -> b.bucket(where.bucket()).key(key(term))).asUtf8String().equals(RELEASED);
        } catch (S3Exception e) {
            return false;
        }
    }

    /** Before a commit: the term is young enough that nobody can have opened a newer one. */
    synchronized void check() throws StoreLockedException {
        if (epoch < 0 || System.nanoTime() - openedNanos > duration.minus(MARGIN).toNanos()) {
            throw fenced("this JVM's writer lease of " + where.url() + " lapsed during the checkpoint (it takes longer than"
                    + " s3.lease=" + duration.toSeconds() + "s allows); nothing was committed");
        }
    }

    private StoreLockedException fenced(String why) {
        return new StoreLockedException(why + ": fenced, this JVM takes no checkpoints while another writes there");
    }

    private record Terms(long newest, Duration age, List<Long> all) {
    }

    private Terms terms() {
        String prefix = where.key(FOLDER);
        List<Long> all = new ArrayList<>();
        long newest = -1;
        Instant modified = null;
        Instant now = null;
        for (ListObjectsV2Response page : s3.listObjectsV2Paginator(b -> b.bucket(where.bucket()).prefix(prefix))) {
            now = page.sdkHttpResponse().firstMatchingHeader("Date").map(Lease::httpDate).orElse(now);
            for (S3Object object : page.contents()) {
                Matcher m = EPOCH.matcher(object.key().substring(prefix.length()));
                if (m.matches()) {
                    long term = Long.parseLong(m.group(1));
                    all.add(term);
                    if (term > newest) {
                        newest = term;
                        modified = object.lastModified();
                    }
                }
            }
        }
        Duration age = newest < 0 || now == null || modified == null ? Duration.ZERO : Duration.between(modified, now);
        if (newest >= 0 && (now == null || modified == null)) {
            age = Duration.ZERO; // no clock to judge by: the term counts as fresh
        }
        return new Terms(newest, age, all);
    }

    private static Instant httpDate(String value) {
        return ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
    }

    private String key(long term) {
        return where.key(FOLDER + String.format("epoch-%016d", term));
    }
}
