package io.stasis.crac.image;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@value ImageDir#MANIFEST}: what an image holds and what it needs, written beside CRIU's files
 * once the dump is complete and checked before every restore.
 *
 * @param standardStreams what the process's descriptors 0, 1 and 2 were ({@code pipe:[inode]}, a
 *                        path, a terminal); a restore hands the caller's own in their place
 * @param files           CRIU's files as CRIU wrote them (sizes and checksums of the plain bytes)
 * @param encryption      {@code null}, or the {@link ImageCipher#format()} each file is sealed with
 * @param segmentBytes    for an encrypted image, how much of a file each sealed file holds: a file
 *                        larger than that is stored as {@code NAME.0.FORMAT}, {@code NAME.1.FORMAT},
 *                        ..., which are sealed and opened on every core; one that is not, as
 *                        {@code NAME.FORMAT}
 */
public record ImageManifest(int format, String created, long pid, boolean leftRunning, Application application,
                            List<String> standardStreams, Jdk jdk, Cpu cpu, String kernel, String criu, long bytes,
                            List<ImageFile> files, String encryption, Long segmentBytes) {

    /** Format 1: plain images; format 2 adds {@code encryption}, which a reader of format 1 would not honour. */
    public static final int FORMAT = 2;
    private static final int FORMAT_PLAIN = 1;

    /** How the application was started: the fallback when the image cannot be used. */
    public record Application(List<String> commandLine, String workingDirectory) {
    }

    /** The JDK build: a restored JVM maps the very same libjvm. */
    public record Jdk(String home, String version, String libjvm, String libjvmCrc32c) {
    }

    /** The CPU: a restored JVM keeps the instructions it chose for the imaged one. */
    public record Cpu(String model, List<String> flags) {
    }

    public record ImageFile(String name, long bytes, String crc32c) {
    }

    /**
     * jackson-jr rather than databind: reading a manifest is on the path of every warm start, and
     * databind's first use costs about 0.3 s more. Unknown properties are ignored: later formats
     * only add.
     */
    private static final JSON JSON_FORMAT = JSON.std.with(JSON.Feature.PRETTY_PRINT_OUTPUT);

    /**
     * Describes the image CRIU has just written to {@code images} of process {@code pid}.
     *
     * @param encryption   what the files will be sealed with, or {@code null}
     * @param segmentBytes how much of a file each sealed file holds, or {@code null}
     */
    static ImageManifest describe(Path images, long pid, boolean leftRunning, Application application,
                                  List<String> standardStreams, Jdk jdk, String criuVersion, String encryption,
                                  Long segmentBytes) throws IOException {
        List<ImageFile> files = filesIn(images);
        long bytes = files.stream().mapToLong(ImageFile::bytes).sum();
        return new ImageManifest(encryption == null ? FORMAT_PLAIN : FORMAT, Instant.now().toString(), pid, leftRunning,
                application, standardStreams, jdk, HostFacts.cpu(), HostFacts.kernel(), criuVersion, bytes, files,
                encryption, segmentBytes);
    }

    /** Where {@code file} is stored in the image directory: as CRIU wrote it, or sealed, in order. */
    List<String> storedNames(ImageFile file) {
        if (encryption == null) {
            return List.of(file.name());
        }
        long segments = Math.max(1, (file.bytes() + segmentBytes - 1) / segmentBytes);
        if (segments == 1) {
            return List.of(file.name() + "." + encryption);
        }
        List<String> names = new ArrayList<>();
        for (long i = 0; i < segments; i++) {
            names.add(file.name() + "." + i + "." + encryption);
        }
        return names;
    }

    /**
     * CRIU's files in {@code images} (everything but the manifest, our control files and the logs)
     * with their sizes and checksums.
     */
    static List<ImageFile> filesIn(Path images) throws IOException {
        List<Path> paths;
        try (Stream<Path> entries = Files.list(images)) {
            paths = entries.filter(p -> p.getFileName().toString().endsWith(".img")).sorted().toList();
        }
        List<ImageFile> files = new ArrayList<>();
        for (Path file : paths) {
            files.add(new ImageFile(file.getFileName().toString(), Files.size(file), HostFacts.crc32c(file)));
        }
        return files;
    }

    /**
     * Writes the manifest. Encrypted, it is sealed too (it names the command line, which may hold
     * secrets, and the host) and {@value ImageDir#MANIFEST} says no more than that and how.
     */
    void write(ImageDir dir, ImageCipher cipher) throws IOException {
        if (cipher != null) {
            ByteArrayOutputStream sealed = new ByteArrayOutputStream();
            cipher.seal(new ByteArrayInputStream(JSON_FORMAT.asBytes(this)), sealed);
            replace(dir.path().resolve(sealedManifestName()), sealed.toByteArray());
        }
        ImageManifest visible = cipher == null ? this
                : new ImageManifest(format, created, 0, false, null, null, null, null, null, null, 0, null, encryption,
                        null);
        replace(dir.manifest(), JSON_FORMAT.asBytes(visible));
    }

    private String sealedManifestName() {
        return ImageDir.MANIFEST + "." + encryption;
    }

    private static void replace(Path file, byte[] content) throws IOException {
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(temp, content);
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * Reads the manifest of the image in {@code dir}.
     *
     * @param cipher what opens an encrypted image's manifest, or {@code null}
     */
    public static ImageManifest read(ImageDir dir, ImageCipher cipher) throws ImageException {
        if (!Files.exists(dir.manifest())) {
            throw new ImageException("no image in " + dir + " (" + ImageDir.MANIFEST + " is missing)");
        }
        ImageManifest manifest;
        try {
            manifest = JSON_FORMAT.beanFrom(ImageManifest.class, dir.manifest().toFile());
        } catch (IOException e) {
            throw new ImageException("the manifest of the image in " + dir + " cannot be read: " + e.getMessage(), e);
        }
        if (manifest.format() > FORMAT) {
            throw new ImageException("the image in " + dir + " has format " + manifest.format()
                    + "; this Stasis reads up to format " + FORMAT);
        }
        if (manifest.encryption() == null) {
            return manifest;
        }
        if (cipher == null || !cipher.format().equals(manifest.encryption())) {
            throw new ImageException("the image in " + dir + " is encrypted (" + manifest.encryption()
                    + "): give the key that opens it (--identity)");
        }
        Path sealed = dir.path().resolve(manifest.sealedManifestName());
        try (InputStream in = Files.newInputStream(sealed)) {
            ByteArrayOutputStream plain = new ByteArrayOutputStream();
            cipher.open(in, plain);
            return JSON_FORMAT.beanFrom(ImageManifest.class, plain.toByteArray());
        } catch (IOException e) {
            throw new ImageException(sealed.getFileName() + " cannot be decrypted: " + e.getMessage(), e);
        }
    }
}
