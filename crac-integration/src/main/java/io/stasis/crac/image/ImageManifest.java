package io.stasis.crac.image;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import io.stasis.files.PrivateFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@value ImageDir#MANIFEST}: what an image holds and what it needs, written beside CRIU's files
 * once the dump is complete and checked before every restore. It is authenticated by
 * {@value ImageDir#MAC}, a MAC with the operator's {@link ImageAuth} key, and names the SHA-256 of
 * every stored file: nothing in an image is used, its command line least of all, unless the key
 * vouches for it.
 *
 * @param standardStreams what the process's descriptors 0, 1 and 2 were ({@code pipe:[inode]}, a
 *                        path, a terminal); a restore hands the caller's own in their place
 * @param files           CRIU's files as CRIU wrote them (sizes and SHA-256 of the plain bytes)
 * @param encryption      {@code null}, or the {@link ImageCipher#format()} each file is sealed with
 * @param segmentBytes    for an encrypted image, how much of a file each sealed file holds: a file
 *                        larger than that is stored as {@code NAME.0.FORMAT}, {@code NAME.1.FORMAT},
 *                        ..., which are sealed and opened on every core; one that is not, as
 *                        {@code NAME.FORMAT}
 * @param sealedManifest  for an encrypted image, in the visible manifest only: the SHA-256 of the
 *                        sealed one, which the MAC so covers too
 * @param liveHeapBytes   the heap in use after the collection just before the dump, as the process
 *                        reported it (what the image's size is to be read against); {@code null}
 *                        when it did not say
 */
public record ImageManifest(int format, String created, long pid, boolean leftRunning, Application application,
                            List<String> standardStreams, Jdk jdk, Cpu cpu, String kernel, String criu, long bytes,
                            List<ImageFile> files, String encryption, Long segmentBytes, String sealedManifest,
                            Long liveHeapBytes) {

    /**
     * Format 3 added authentication, the imaged process's user and SHA-256 digests; format 4 digests
     * files by pieces ({@link FileDigests}). Format 3 images still restore; older ones are refused.
     */
    public static final int FORMAT = 4;
    private static final int OLDEST_FORMAT = 3;
    /** A manifest is a few kilobytes: anything much larger is not one. */
    private static final int MAX_BYTES = 16 << 20;
    /** CRIU's own names ({@code pages-1.img}, {@code tmpfs-dev-63.tar.gz.img}): nothing that leaves a directory. */
    private static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.+-]{0,200}\\.img");

    /**
     * How the application was started: the fallback when the image cannot be used.
     *
     * @param user who ran it: the fallback runs as that user, never as whoever restores
     */
    public record Application(List<String> commandLine, String workingDirectory, User user) {
    }

    /** A process's real user and group ids and its supplementary groups, from {@code /proc/PID/status}. */
    public record User(long uid, long gid, List<Long> groups) {
    }

    /** The JDK build: a restored JVM maps the very same libjvm. */
    public record Jdk(String home, String version, String libjvm, String libjvmCrc32c) {
    }

    /** The CPU: a restored JVM keeps the instructions it chose for the imaged one. */
    public record Cpu(String model, List<String> flags) {
    }

    /**
     * @param sha256 of the plain file, as CRIU wrote it, as {@link FileDigests} defines it for the format
     * @param sealed for an encrypted image, the SHA-256 of each stored (sealed) file, in order
     */
    public record ImageFile(String name, long bytes, String sha256, List<String> sealed) {

        /** Whether {@code other} holds the same plain file. */
        boolean sameAs(ImageFile other) {
            return name.equals(other.name) && bytes == other.bytes && sha256.equals(other.sha256);
        }
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
                                  Long segmentBytes, Long liveHeapBytes) throws IOException {
        List<ImageFile> files = filesIn(images, FORMAT);
        long bytes = files.stream().mapToLong(ImageFile::bytes).sum();
        return new ImageManifest(FORMAT, Instant.now().toString(), pid, leftRunning, application, standardStreams, jdk,
                HostFacts.cpu(), HostFacts.kernel(), criuVersion, bytes, files, encryption, segmentBytes, null,
                liveHeapBytes);
    }

    /** This manifest with the digests of each file's sealed files, by stored name. */
    ImageManifest withSealed(Map<String, String> digests) {
        List<ImageFile> sealedFiles = new ArrayList<>();
        for (ImageFile file : files) {
            sealedFiles.add(new ImageFile(file.name(), file.bytes(), file.sha256(),
                    storedNames(file).stream().map(digests::get).toList()));
        }
        return new ImageManifest(format, created, pid, leftRunning, application, standardStreams, jdk, cpu, kernel,
                criu, bytes, sealedFiles, encryption, segmentBytes, sealedManifest, liveHeapBytes);
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
     * with their sizes and digests as {@code format} defines them. Each must be a private file of
     * this user: only then is what was checked what CRIU reads.
     */
    static List<ImageFile> filesIn(Path images, int format) throws IOException {
        return filesIn(images, format, name -> true);
    }

    /** {@link #filesIn(Path, int)}, of the files whose names pass {@code which} only. */
    static List<ImageFile> filesIn(Path images, int format, Predicate<String> which) throws IOException {
        List<Path> paths;
        try (Stream<Path> entries = Files.list(images)) {
            paths = entries.map(Path::getFileName).map(Path::toString)
                    .filter(name -> name.endsWith(".img") && which.test(name)).sorted().map(images::resolve).toList();
        }
        List<Long> sizes = new ArrayList<>();
        for (Path file : paths) {
            PrivateFiles.checkFile(file);
            sizes.add(Files.size(file));
        }
        List<String> digests = FileDigests.of(paths, sizes, format);
        List<ImageFile> files = new ArrayList<>();
        for (int i = 0; i < paths.size(); i++) {
            files.add(new ImageFile(paths.get(i).getFileName().toString(), sizes.get(i), digests.get(i), null));
        }
        return files;
    }

    /**
     * Writes the manifest and its MAC. Encrypted, it is sealed too (it names the command line, which
     * may hold secrets, and the host) and {@value ImageDir#MANIFEST} says no more than that, how,
     * and the digest of the sealed one.
     */
    void write(ImageDir dir, ImageCipher cipher, ImageAuth auth) throws IOException {
        ImageManifest visible = this;
        if (cipher != null) {
            ByteArrayOutputStream sealed = new ByteArrayOutputStream();
            cipher.seal(new ByteArrayInputStream(JSON_FORMAT.asBytes(this)), sealed);
            ImageDir.replace(dir.path().resolve(sealedManifestName()), sealed.toByteArray());
            visible = new ImageManifest(format, created, 0, false, null, null, null, null, null, null, 0, null,
                    encryption, null, HostFacts.sha256(sealed.toByteArray()), null);
        }
        byte[] bytes = JSON_FORMAT.asBytes(visible);
        ImageDir.replace(dir.path().resolve(ImageDir.MAC), (auth.mac(bytes) + "\n").getBytes(StandardCharsets.US_ASCII));
        ImageDir.replace(dir.manifest(), bytes);
    }

    private String sealedManifestName() {
        return ImageDir.MANIFEST + "." + encryption;
    }

    /**
     * Reads the manifest of the image in {@code dir}, once {@code auth} has authenticated it.
     *
     * @param cipher what opens an encrypted image's manifest, or {@code null}
     * @throws ImageException when there is no image, it is not authentic, or it is damaged: nothing
     *                        in it may be used, not even its command line
     */
    public static ImageManifest read(ImageDir dir, ImageCipher cipher, ImageAuth auth) throws ImageException {
        try {
            PrivateFiles.checkDirectory(dir.path());
        } catch (IOException e) {
            throw new ImageException("the image directory cannot be trusted: " + e.getMessage(), e);
        }
        if (!Files.exists(dir.manifest())) {
            throw new ImageException("no image in " + dir + " (" + ImageDir.MANIFEST + " is missing)");
        }
        byte[] bytes = privateFile(dir.manifest());
        Path macFile = dir.path().resolve(ImageDir.MAC);
        if (!Files.exists(macFile, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw new ImageException("the image in " + dir + " cannot be authenticated (" + ImageDir.MAC + " is missing; "
                    + "images from before format " + FORMAT + " have none): refusing it, nothing is run; take a new image");
        }
        if (!auth.verify(bytes, new String(privateFile(macFile), StandardCharsets.US_ASCII))) {
            throw new ImageException("the image in " + dir + " is not authenticated by the key " + auth.file()
                    + " (forged, altered, or taken with another key): refusing it, nothing is run; give the key it "
                    + "was taken with (--auth-key FILE)");
        }
        ImageManifest manifest = parse(dir, bytes);
        if (manifest.format() < OLDEST_FORMAT || manifest.format() > FORMAT) {
            throw new ImageException("the image in " + dir + " has format " + manifest.format()
                    + "; this Stasis reads formats " + OLDEST_FORMAT + " to " + FORMAT + ": take a new image");
        }
        if (manifest.encryption() != null) {
            if (cipher == null || !cipher.format().equals(manifest.encryption())) {
                throw new ImageException("the image in " + dir + " is encrypted (" + manifest.encryption()
                        + "): give the key that opens it (--identity)");
            }
            Path sealed = dir.path().resolve(manifest.sealedManifestName());
            byte[] sealedBytes = privateFile(sealed);
            if (!HostFacts.sha256(sealedBytes).equals(manifest.sealedManifest())) {
                throw new ImageException(sealed.getFileName() + " is not the one " + ImageDir.MANIFEST
                        + " authenticates: refusing the image in " + dir + ", nothing is run");
            }
            ByteArrayOutputStream plain = new ByteArrayOutputStream();
            try {
                cipher.open(new ByteArrayInputStream(sealedBytes), plain);
            } catch (IOException e) {
                throw new ImageException(sealed.getFileName() + " cannot be decrypted: " + e.getMessage(), e);
            }
            int format = manifest.format();
            manifest = parse(dir, plain.toByteArray());
            if (manifest.format() != format || !cipher.format().equals(manifest.encryption())) {
                throw damaged(dir, "the sealed manifest names another format or encryption");
            }
        }
        manifest.check(dir);
        return manifest;
    }

    private static ImageManifest parse(ImageDir dir, byte[] bytes) throws ImageException {
        try {
            return JSON_FORMAT.beanFrom(ImageManifest.class, bytes);
        } catch (IOException | RuntimeException e) {
            throw new ImageException("the manifest of the image in " + dir + " cannot be read: " + e.getMessage(), e);
        }
    }

    /** A file of the image: not a link, this user's, not writable by others, of manifest size. */
    private static byte[] privateFile(Path file) throws ImageException {
        try {
            PrivateFiles.checkFile(file);
            if (Files.size(file) > MAX_BYTES) {
                throw new ImageException(file + " is too large to be an image manifest");
            }
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ImageException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** What an authentic manifest must hold all the same: names that stay in the directory, sane sizes. */
    private void check(ImageDir dir) throws ImageException {
        if (files == null || application == null || application.commandLine() == null
                || application.commandLine().isEmpty() || application.workingDirectory() == null
                || application.user() == null || jdk == null || cpu == null || cpu.flags() == null
                || standardStreams == null) {
            throw damaged(dir, "a required field is missing");
        }
        if (encryption != null && (segmentBytes == null || segmentBytes <= 0 || !FILE_NAME.matcher("x." + encryption
                + ".img").matches())) {
            throw damaged(dir, "bad encryption or segment size");
        }
        for (ImageFile file : files) {
            if (file == null || file.name() == null || !FILE_NAME.matcher(file.name()).matches()
                    || file.name().contains("..") || file.bytes() < 0 || file.sha256() == null) {
                throw damaged(dir, "an image file is named " + (file == null ? null : file.name())
                        + ", not as CRIU names its files");
            }
            if (encryption != null && (file.sealed() == null || file.sealed().size() != storedNames(file).size())) {
                throw damaged(dir, "the digests of " + file.name() + "'s sealed files are missing");
            }
        }
    }

    private static ImageException damaged(ImageDir dir, String why) {
        return new ImageException("the manifest of the image in " + dir + " is damaged (" + why + "): refusing it");
    }
}
