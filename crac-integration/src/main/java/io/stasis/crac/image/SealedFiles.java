package io.stasis.crac.image;

import io.stasis.files.PrivateFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.commons.io.input.BoundedInputStream;

/**
 * Moving an image's files between CRIU's plain form and their sealed form. A large file is sealed
 * in segments, each its own stream, so that sealing and opening use every core: one pages file
 * holds nearly all of an image.
 */
final class SealedFiles {

    /** For new images, 32 MiB: pieces enough for every core of a large image, few enough files. */
    static final long SEGMENT_BYTES = 32L << 20;

    /** One sealed file: bytes {@code [offset, offset + length)} of {@code file}. */
    private record Segment(ImageManifest.ImageFile file, String stored, long offset, long length) {
    }

    private interface SegmentTask {
        void run(Segment segment) throws IOException;
    }

    private SealedFiles() {
    }

    /**
     * Seals each file of {@code manifest} from {@code plain} into {@code dir}, each sealed file
     * written whole or not at all.
     *
     * @return the SHA-256 of each sealed file, by its name
     */
    static Map<String, String> seal(ImageManifest manifest, Path plain, ImageDir dir, ImageCipher cipher) throws IOException {
        Map<String, String> digests = new ConcurrentHashMap<>();
        inParallel(segments(manifest), segment -> {
            Path target = dir.path().resolve(segment.stored());
            Path partial = target.resolveSibling(target.getFileName() + ".partial");
            try (FileChannel source = FileChannel.open(plain.resolve(segment.file().name()));
                 InputStream in = BoundedInputStream.builder()
                         .setInputStream(Channels.newInputStream(source.position(segment.offset())))
                         .setMaxCount(segment.length()).get();
                 FileChannel channel = PrivateFiles.createFile(partial)) {
                MessageDigest digest = HostFacts.sha256();
                cipher.seal(in, new DigestOutputStream(Channels.newOutputStream(channel), digest));
                channel.force(true);
                digests.put(segment.stored(), HexFormat.of().formatHex(digest.digest()));
            } catch (IOException e) {
                Files.deleteIfExists(partial);
                throw new IOException("cannot encrypt " + segment.stored() + ": " + e.getMessage(), e);
            }
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
        });
        return digests;
    }

    /** Opens each sealed file of {@code manifest} in {@code dir} into {@code plain}; the message names the one that fails. */
    static void open(ImageManifest manifest, ImageDir dir, Path plain, ImageCipher cipher) throws IOException {
        for (ImageManifest.ImageFile file : manifest.files()) {
            PrivateFiles.createFile(plain.resolve(file.name())).close();
        }
        inParallel(segments(manifest), segment -> {
            try (InputStream in = Files.newInputStream(dir.path().resolve(segment.stored()));
                 FileChannel target = FileChannel.open(plain.resolve(segment.file().name()), StandardOpenOption.WRITE,
                         LinkOption.NOFOLLOW_LINKS);
                 OutputStream out = Channels.newOutputStream(target.position(segment.offset()))) {
                cipher.open(in, out);
            } catch (IOException e) {
                throw new IOException("image file " + segment.stored() + " cannot be decrypted: " + e.getMessage(), e);
            }
        });
    }

    private static List<Segment> segments(ImageManifest manifest) {
        List<Segment> segments = new ArrayList<>();
        for (ImageManifest.ImageFile file : manifest.files()) {
            List<String> stored = manifest.storedNames(file);
            for (int i = 0; i < stored.size(); i++) {
                long offset = i * manifest.segmentBytes();
                long length = stored.size() == 1 ? file.bytes() : Math.min(manifest.segmentBytes(), file.bytes() - offset);
                segments.add(new Segment(file, stored.get(i), offset, length));
            }
        }
        return segments;
    }

    private static void inParallel(List<Segment> segments, SegmentTask task) throws IOException {
        try {
            segments.parallelStream().forEach(segment -> {
                try {
                    task.run(segment);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
