package io.stasis.agent.internal.store.s3.client;

import io.stasis.agent.internal.store.BlobStore;
import io.stasis.agent.internal.store.CorruptSnapshotException;
import io.stasis.agent.internal.store.S3Location;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Objects in a bucket, through the AWS SDK for Java v2 and its {@code url-connection-client}.
 * Loaded only by {@code S3Loader}'s private class loader: nothing here is visible to the
 * application, and the application's own AWS SDK is not visible here.
 *
 * <p>An object is uploaded in one request with {@code If-None-Match: *}, so it appears whole or
 * not at all and is never replaced (412: it exists). There is no rename: the manifest, uploaded
 * last, is the commit. The SDK retries with backoff; every call is bounded by a timeout. Errors
 * carry the SDK's message (status, code, request id), which holds no credential.
 */
public final class S3Blobs implements BlobStore {

    /** A pack up to this size is read in one request; a larger one by ranges. */
    private static final long WHOLE_READ = 256L << 20;

    private final S3Location where;
    private final S3Client s3;
    private final Lease lease;
    private final ClassLoader loader = S3Blobs.class.getClassLoader();

    public S3Blobs(S3Location where) throws IOException {
        this.where = where;
        this.s3 = call("connect", () -> client(where));
        this.lease = new Lease(s3, where, where.lease());
    }

    private static S3Client client(S3Location where) {
        S3ClientBuilder builder = S3Client.builder()
                // Given explicitly: no service lookup through the thread's class loader, which is the application's.
                .httpClient(UrlConnectionHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(10))
                        .socketTimeout(Duration.ofSeconds(60))
                        .build())
                .credentialsProvider(DefaultCredentialsProvider.builder().build())
                .forcePathStyle(where.pathStyle())
                .overrideConfiguration(o -> o.apiCallAttemptTimeout(Duration.ofMinutes(2))
                        .apiCallTimeout(Duration.ofMinutes(5)));
        if (where.region() != null) {
            builder.region(Region.of(where.region()));
        } else if (where.endpoint() != null) {
            builder.region(Region.US_EAST_1);
        }
        if (where.endpoint() != null) {
            // Flexible checksums by default are refused by some S3-compatible servers (NotImplemented).
            builder.endpointOverride(where.endpoint())
                    .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                    .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        }
        return builder.build();
    }

    @Override
    public String location() {
        return where.url();
    }

    /** Each read is a request: changed chunks are stored whole rather than read back as bases. */
    @Override
    public boolean smallReadsCheap() {
        return false;
    }

    @Override
    public void prepareForWriting() throws IOException {
        checkBucket();
    }

    @Override
    public void prepareForReading() throws IOException {
        checkBucket();
    }

    private void checkBucket() throws IOException {
        call("reach the bucket", () -> s3.headBucket(b -> b.bucket(where.bucket())));
    }

    @Override
    public void lock() {
        // Object storage has no lock: the writer's lease is taken at the first change (holdWriter).
    }

    @Override
    public void unlock() {
    }

    @Override
    public boolean writerLive() {
        try {
            return call("look at the writer's lease", lease::live);
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public boolean holdWriter() throws IOException {
        return call("take the writer's lease", lease::hold);
    }

    @Override
    public void checkWriter() throws IOException {
        lease.check();
    }

    @Override
    public void releaseWriter() throws IOException {
        call("release the writer's lease", () -> {
            lease.release();
            return null;
        });
    }

    @Override
    public Upload create(String name) {
        return new BufferedUpload(name);
    }

    /** Streamed from the file in one conditional request: a bundle is never held in memory. */
    @Override
    public boolean copyIn(String name, java.nio.file.Path file) throws IOException {
        long length = java.nio.file.Files.size(file);
        try {
            call("upload " + name, () -> s3.putObject(b -> b.bucket(where.bucket()).key(where.key(name))
                    .ifNoneMatch("*").contentLength(length), RequestBody.fromFile(file)));
        } catch (Conflict e) {
            return false;
        }
        return true;
    }

    /** Bytes gathered in memory, then sent in one conditional request. */
    private final class BufferedUpload implements Upload {
        private final String name;
        private Buffer buffer = new Buffer();

        BufferedUpload(String name) {
            this.name = name;
        }

        @Override
        public void write(ByteBuffer bytes) {
            buffer.write(bytes);
        }

        @Override
        public boolean commit() throws IOException {
            long length = buffer.size();
            Buffer content = buffer;
            try {
                call("upload " + name, () -> s3.putObject(b -> b.bucket(where.bucket()).key(where.key(name))
                                .ifNoneMatch("*").contentLength(length),
                        RequestBody.fromContentProvider(content::stream, length, "application/octet-stream")));
            } catch (Conflict e) {
                return false;
            }
            buffer = null;
            return true;
        }

        @Override
        public void close() {
            buffer = null;
        }
    }

    /** Its array, not a copy of it, is what a request reads (again on each retry). */
    private static final class Buffer extends ByteArrayOutputStream {
        /** Takes what remains of {@code bytes}, straight into the array (heap or not). */
        void write(ByteBuffer bytes) {
            int length = bytes.remaining();
            if (buf.length - count < length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, Math.addExact(count, length)));
            }
            bytes.get(buf, count, length);
            count += length;
        }

        InputStream stream() {
            return new ByteArrayInputStream(buf, 0, count);
        }
    }

    /** 412 (the object exists) or 409 (a conditional write of it is under way). */
    private static final class Conflict extends IOException {
        private static final long serialVersionUID = 1L;

        Conflict(String message) {
            super(message);
        }
    }

    @Override
    public byte[] read(String name, long max, String label) throws IOException {
        return call("read " + name, () -> {
            try (ResponseInputStream<GetObjectResponse> in = s3.getObject(b -> b.bucket(where.bucket())
                    .key(where.key(name)))) {
                long length = in.response().contentLength();
                if (length > max) {
                    in.abort();
                    throw new CorruptSnapshotException(label + " is " + length + " bytes; the format allows at most "
                            + max + " (not written by Stasis: remove it)");
                }
                byte[] bytes = in.readNBytes((int) length);
                if (bytes.length != length) {
                    throw new CorruptSnapshotException(label + " ended early (changed while read)");
                }
                return bytes;
            }
        });
    }

    @Override
    public Reader open(String name) throws IOException {
        return call("read " + name, () -> {
            ResponseInputStream<GetObjectResponse> in = s3.getObject(b -> b.bucket(where.bucket())
                    .key(where.key(name)));
            long size = in.response().contentLength();
            if (size > WHOLE_READ) {
                in.abort();
                return new RangedReader(name, size);
            }
            try (in) {
                byte[] bytes = in.readNBytes((int) size);
                return new WholeReader(name, bytes);
            }
        });
    }

    private record WholeReader(String name, byte[] bytes) implements Reader {
        @Override
        public long size() {
            return bytes.length;
        }

        @Override
        public void read(long position, ByteBuffer into) throws IOException {
            if (position < 0 || position + into.remaining() > bytes.length) {
                throw new EOFException(name + " ended early");
            }
            into.put(bytes, (int) position, into.remaining());
        }

        @Override
        public void close() {
        }
    }

    private final class RangedReader implements Reader {
        private final String name;
        private final long size;

        RangedReader(String name, long size) {
            this.name = name;
            this.size = size;
        }

        @Override
        public long size() {
            return size;
        }

        @Override
        public void read(long position, ByteBuffer into) throws IOException {
            if (position < 0 || position + into.remaining() > size) {
                throw new EOFException(name + " ended early");
            }
            if (!into.hasRemaining()) {
                return;
            }
            byte[] bytes = call("read " + name, () -> s3.getObjectAsBytes(b -> b.bucket(where.bucket())
                    .key(where.key(name)).range("bytes=" + position + "-" + (position + into.remaining() - 1)))
                    .asByteArray());
            if (bytes.length != into.remaining()) {
                throw new EOFException(name + " ended early");
            }
            into.put(bytes);
        }

        @Override
        public void close() {
        }
    }

    @Override
    public List<Entry> list(String prefix) throws IOException {
        String base = where.key("");
        return call("list " + prefix, () -> {
            List<Entry> found = new ArrayList<>();
            for (S3Object object : s3.listObjectsV2Paginator(b -> b.bucket(where.bucket()).prefix(base + prefix)
                    .delimiter("/")).contents()) {
                found.add(new Entry(object.key().substring(base.length()), object.size()));
            }
            return found;
        });
    }

    @Override
    public boolean exists(String name) throws IOException {
        try {
            call("look for " + name, () -> s3.headObject(b -> b.bucket(where.bucket()).key(where.key(name))));
            return true;
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    @Override
    public void delete(String name) throws IOException {
        call("delete " + name, () -> s3.deleteObject(b -> b.bucket(where.bucket()).key(where.key(name))));
    }

    @Override
    public void syncRemovals() {
        // a removal is durable when its request returns
    }

    /** Uploads are single requests: none leaves a part behind. */
    @Override
    public List<String> leftovers() {
        return List.of();
    }

    @Override
    public List<String> removeLeftovers() {
        return List.of();
    }

    @Override
    public long totalBytes() {
        try {
            return call("list", () -> {
                long total = 0;
                for (S3Object object : s3.listObjectsV2Paginator(b -> b.bucket(where.bucket())
                        .prefix(where.key(""))).contents()) {
                    total += object.size();
                }
                return total;
            });
        } catch (IOException e) {
            return -1;
        }
    }

    @Override
    public void close() {
        call0(() -> {
            lease.release();
            s3.close();
        });
    }

    private interface Call<T> {
        T run() throws IOException;
    }

    /**
     * Runs {@code call} with this class loader as the thread's context loader (the SDK looks some
     * things up through it), its failures as IOExceptions that say what was being done, and where.
     */
    private <T> T call(String what, Call<T> call) throws IOException {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(loader);
        try {
            return call.run();
        } catch (NoSuchKeyException e) {
            throw new NoSuchFileException(where.url() + ": no such object (" + what + ")");
        } catch (S3Exception e) {
            if (e.statusCode() == 404 && !what.startsWith("reach")) {
                throw new NoSuchFileException(where.url() + ": no such object (" + what + ")");
            }
            if (e.statusCode() == 412 || e.statusCode() == 409) {
                throw new Conflict(where.url() + ": " + what + ": it exists already");
            }
            throw failed(what, e);
        } catch (SdkException e) {
            throw failed(what, e);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    private void call0(Runnable run) {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(loader);
        try {
            run.run();
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    private IOException failed(String what, SdkException e) {
        return new IOException("cannot " + what + " in " + where + ": " + e.getMessage()
                + " (check s3.endpoint, s3.region, s3.path-style, the bucket and the AWS credentials)", e);
    }
}
