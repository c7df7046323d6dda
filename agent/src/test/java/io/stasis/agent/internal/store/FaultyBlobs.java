package io.stasis.agent.internal.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * A directory of objects ({@link DirectoryBlobs}) that records the order in which objects are
 * published, and refuses to publish (or to do anything at all, while {@link #down}) on demand: a
 * mirror that fails in tests.
 */
final class FaultyBlobs implements BlobStore {

    private final DirectoryBlobs blobs;
    /** Names in the order they were published. */
    final List<String> published = new CopyOnWriteArrayList<>();
    /** Publishing a name that matches fails. */
    volatile Predicate<String> refuse = name -> false;
    /** Every call fails, as with a server that is not there. */
    volatile boolean down;
    /** The next {@link #holdWriter} answers that the lease was taken just now, as after another writer's. */
    volatile boolean takeOver;
    /** Reads from opened objects so far: chunks, and runs of chunks, read from packs. */
    final java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
    /** Whether it answers small reads as cheaply as a local file; if not, as an object store. */
    volatile boolean smallReadsCheap = true;

    FaultyBlobs(Path dir) {
        this.blobs = new DirectoryBlobs(dir);
    }

    private void reachable() throws IOException {
        if (down) {
            throw new java.net.ConnectException("the mirror is down (test)");
        }
    }

    @Override
    public String location() {
        return blobs.location();
    }

    @Override
    public boolean smallReadsCheap() {
        return smallReadsCheap;
    }

    @Override
    public void prepareForWriting() throws IOException {
        reachable();
        blobs.prepareForWriting();
    }

    @Override
    public void prepareForReading() throws IOException {
        reachable();
        blobs.prepareForReading();
    }

    @Override
    public void lock() throws IOException {
        blobs.lock();
    }

    @Override
    public void unlock() throws IOException {
        blobs.unlock();
    }

    @Override
    public boolean writerLive() {
        return blobs.writerLive();
    }

    @Override
    public boolean holdWriter() throws IOException {
        reachable();
        boolean tookOver = takeOver;
        takeOver = false;
        return tookOver;
    }

    @Override
    public Upload create(String name) throws IOException {
        reachable();
        Upload upload = blobs.create(name);
        return new Upload() {
            @Override
            public void write(ByteBuffer bytes) throws IOException {
                upload.write(bytes);
            }

            @Override
            public boolean commit() throws IOException {
                reachable();
                if (refuse.test(name)) {
                    throw new IOException("503 SlowDown for " + name + " (test)");
                }
                boolean made = upload.commit();
                if (made) {
                    published.add(name);
                }
                return made;
            }

            @Override
            public void close() throws IOException {
                upload.close();
            }
        };
    }

    @Override
    public byte[] read(String name, long max, String label) throws IOException {
        reachable();
        return blobs.read(name, max, label);
    }

    @Override
    public Reader open(String name) throws IOException {
        reachable();
        Reader reader = blobs.open(name);
        return new Reader() {
            @Override
            public long size() throws IOException {
                return reader.size();
            }

            @Override
            public void read(long position, java.nio.ByteBuffer into) throws IOException {
                reads.incrementAndGet();
                reader.read(position, into);
            }

            @Override
            public void close() throws IOException {
                reader.close();
            }
        };
    }

    @Override
    public List<Entry> list(String prefix) throws IOException {
        reachable();
        return blobs.list(prefix);
    }

    @Override
    public boolean exists(String name) throws IOException {
        reachable();
        return blobs.exists(name);
    }

    @Override
    public void delete(String name) throws IOException {
        reachable();
        blobs.delete(name);
    }

    @Override
    public void syncRemovals() throws IOException {
        blobs.syncRemovals();
    }

    @Override
    public List<String> leftovers() throws IOException {
        reachable();
        return blobs.leftovers();
    }

    @Override
    public List<String> removeLeftovers() throws IOException {
        reachable();
        return blobs.removeLeftovers();
    }

    @Override
    public long totalBytes() {
        return blobs.totalBytes();
    }

    @Override
    public void close() throws IOException {
        blobs.close();
    }
}
