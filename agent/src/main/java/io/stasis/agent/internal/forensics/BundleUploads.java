package io.stasis.agent.internal.forensics;

import io.stasis.agent.internal.Log;
import io.stasis.agent.internal.store.BlobStore;
import io.stasis.agent.internal.store.S3Location;
import io.stasis.agent.internal.store.s3.S3Loader;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * {@code forensics.dir=s3://BUCKET/PREFIX}: each bundle, once written locally (encrypted), is
 * uploaded to {@code PREFIX/NAME} by one daemon thread, streamed from the file, created only if
 * absent; the local copy stays and follows {@code forensics.disk-budget}. A bundle that cannot be
 * sent after a few tries with backoff stays local, said in one line; the application never waits.
 */
final class BundleUploads {

    /** Bundles waiting to be sent; more are said and left local. */
    static final int QUEUE = 16;
    static final int ATTEMPTS = 6;
    private static final Duration FIRST_RETRY = Duration.ofSeconds(1);
    /** How long an exiting JVM waits for the bundles in flight (the one an uncaught exception just wrote). */
    static final Duration AT_EXIT = Duration.ofSeconds(10);

    private final S3Location where;
    private final BlockingQueue<Path> queue = new ArrayBlockingQueue<>(QUEUE);
    private BlobStore blobs;
    /** Bundles queued and not yet sent or given up on. */
    private int inFlight;

    private BundleUploads(S3Location where) {
        this.where = where;
    }

    static BundleUploads start(S3Location where) {
        BundleUploads uploads = new BundleUploads(where);
        Thread thread = new Thread(uploads::run, "stasis-forensics-upload");
        thread.setDaemon(true);
        thread.start();
        Runtime.getRuntime().addShutdownHook(new Thread(uploads::awaitSent, "stasis-forensics-upload-exit"));
        return uploads;
    }

    /** At exit: waits, at most {@link #AT_EXIT}, for the bundles queued to be sent. */
    private synchronized void awaitSent() {
        long deadline = System.nanoTime() + AT_EXIT.toNanos();
        try {
            while (inFlight > 0) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    Log.warn("forensics: " + inFlight + " bundle(s) not uploaded to " + where.url() + " within "
                            + AT_EXIT.toSeconds() + "s of exit; they stay local");
                    return;
                }
                wait(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Never blocks: a full queue leaves the bundle local. */
    void written(Path bundle) {
        synchronized (this) {
            inFlight++;
        }
        if (!queue.offer(bundle)) {
            sent();
            Log.warn("forensics: " + bundle.getFileName() + " is not uploaded to " + where.url() + ": " + QUEUE
                    + " bundles are waiting already; it stays in " + bundle.getParent());
        }
    }

    private void run() {
        while (true) {
            Path bundle;
            try {
                bundle = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            try {
                send(bundle);
            } finally {
                sent();
            }
        }
    }

    private synchronized void sent() {
        inFlight--;
        notifyAll();
    }

    private void send(Path bundle) {
        String name = bundle.getFileName().toString();
        Duration retry = FIRST_RETRY;
        for (int attempt = 1; ; attempt++) {
            try {
                if (blobs == null) {
                    blobs = S3Loader.open(where);
                }
                if (!blobs.copyIn(name, bundle)) {
                    Log.warn("forensics: " + where.key(name) + " exists already in " + where.url() + ": not replaced");
                } else {
                    Log.info("forensics: " + name + " uploaded to " + where.url());
                }
                return;
            } catch (NoSuchFileException e) {
                Log.warn("forensics: " + name + " was removed (forensics.disk-budget) before it was uploaded to "
                        + where.url());
                return;
            } catch (IOException | RuntimeException | LinkageError e) {
                if (attempt == ATTEMPTS) {
                    Log.warn("forensics: " + name + " could not be uploaded to " + where.url() + " (" + Log.describe(e)
                            + ") after " + ATTEMPTS + " tries; it stays in " + bundle.getParent());
                    return;
                }
                try {
                    Thread.sleep(retry.toMillis());
                } catch (InterruptedException interrupted) {
                    return;
                }
                retry = retry.multipliedBy(2);
            }
        }
    }
}
