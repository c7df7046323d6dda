package io.stasis.forensics.internal;

import io.stasis.files.PrivateFiles;
import com.exceptionfactory.jagged.RecipientStanzaWriter;
import com.exceptionfactory.jagged.framework.stream.StandardEncryptingChannelFactory;
import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * One bundle: a zip archive streamed through age's encryption (64 KiB chunks, each authenticated)
 * into {@code NAME.age.partial}, then fsynced and renamed to {@code NAME.age}. No part of the
 * archive exists unencrypted on disk, and no more than a chunk and the current section's buffer
 * is in memory.
 */
public final class BundleWriter implements AutoCloseable {

    /** What the manifest says about one file of the bundle. */
    public record Section(String name, long bytes, String sha256, long millis, String error) {
    }

    @FunctionalInterface
    public interface Body {
        void writeTo(OutputStream out) throws Exception;
    }

    private final Path target;
    private final Path partial;
    private final FileChannel file;
    private final WritableByteChannel encrypting;
    private final ZipOutputStream zip;
    private final List<Section> sections = new ArrayList<>();
    private boolean done;

    public BundleWriter(Path dir, String name, List<RecipientStanzaWriter> recipients) throws IOException {
        this.target = dir.resolve(name + ".age");
        this.partial = dir.resolve(name + ".age.partial");
        this.file = PrivateFiles.createFile(partial);
        try {
            this.encrypting = new StandardEncryptingChannelFactory().newEncryptingChannel(new KeepOpen(file), recipients);
        } catch (GeneralSecurityException | IOException e) {
            file.close();
            Files.deleteIfExists(partial);
            throw new IOException("cannot start the age stream: " + e.getMessage(), e);
        }
        this.zip = new ZipOutputStream(new BufferedOutputStream(Channels.newOutputStream(encrypting), 1 << 16));
        this.zip.setLevel(Deflater.BEST_SPEED);
    }

    /**
     * Adds one file to the archive. A body that fails leaves what it wrote (marked in the manifest
     * with the error) and the bundle carries on; only a failure to write the archive itself is thrown.
     */
    public Section section(String name, Body body) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        Hashing out = new Hashing(zip);
        long start = System.nanoTime();
        String error = null;
        try {
            body.writeTo(out);
        } catch (IOException e) {
            if (out.sinkFailed) {
                throw e;
            }
            error = describe(e);
        } catch (Exception | LinkageError | OutOfMemoryError | StackOverflowError e) {
            error = describe(e);
        }
        zip.closeEntry();
        Section section = new Section(name, out.count, HexFormat.of().formatHex(out.digest.digest()),
                (System.nanoTime() - start) / 1_000_000, error);
        sections.add(section);
        return section;
    }

    public List<Section> sections() {
        return List.copyOf(sections);
    }

    /** Finishes the archive and the age stream, fsyncs, and publishes the bundle under its final name. */
    public Path commit() throws IOException {
        zip.finish();
        zip.flush();
        encrypting.close(); // writes the last, final-flagged chunk
        file.force(true);
        file.close();
        Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
        PrivateFiles.syncDirectory(target.getParent());
        done = true;
        return target;
    }

    public Path target() {
        return target;
    }

    /** Without commit: removes the partial file. */
    @Override
    public void close() {
        if (done) {
            return;
        }
        try {
            file.close();
        } catch (IOException e) {
            // being abandoned
        }
        try {
            Files.deleteIfExists(partial);
        } catch (IOException e) {
            // an encrypted partial file: unreadable, and removed at the next start
        }
    }

    static String describe(Throwable t) {
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }

    /** Counts and hashes a section; never closes the archive. */
    private static final class Hashing extends FilterOutputStream {
        final MessageDigest digest;
        long count;
        boolean sinkFailed;

        Hashing(OutputStream out) {
            super(out);
            try {
                digest = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            try {
                out.write(b, off, len);
            } catch (IOException e) {
                sinkFailed = true;
                throw e;
            }
            digest.update(b, off, len);
            count += len;
        }

        @Override
        public void flush() {
            // the archive is flushed at commit
        }

        @Override
        public void close() {
            // sections do not close the archive
        }
    }

    /** The file channel, handed to the age stream, which must not close it before it is fsynced. */
}
