package io.stasis.crac.image;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
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
 */
public record ImageManifest(int format, String created, long pid, boolean leftRunning, Application application,
                            List<String> standardStreams, Jdk jdk, Cpu cpu, String kernel, String criu, long bytes,
                            List<ImageFile> files) {

    public static final int FORMAT = 1;

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

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    /** Describes the image CRIU has just written to {@code dir} of process {@code pid}. */
    static ImageManifest describe(ImageDir dir, long pid, boolean leftRunning, Application application,
                                  List<String> standardStreams, Jdk jdk, String criuVersion) throws IOException {
        List<ImageFile> files = new ArrayList<>();
        long bytes = 0;
        for (Path file : imageFiles(dir)) {
            long size = Files.size(file);
            files.add(new ImageFile(file.getFileName().toString(), size, HostFacts.crc32c(file)));
            bytes += size;
        }
        return new ImageManifest(FORMAT, Instant.now().toString(), pid, leftRunning, application, standardStreams, jdk, HostFacts.cpu(),
                HostFacts.kernel(), criuVersion, bytes, files);
    }

    /** CRIU's files: everything but the manifest, our control files and the logs. */
    static List<Path> imageFiles(ImageDir dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir.path())) {
            return entries.filter(p -> p.getFileName().toString().endsWith(".img")).sorted().toList();
        }
    }

    void write(ImageDir dir) throws IOException {
        Path temp = dir.path().resolve(ImageDir.MANIFEST + ".tmp");
        JSON.writeValue(temp.toFile(), this);
        Files.move(temp, dir.manifest(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    public static ImageManifest read(ImageDir dir) throws ImageException {
        if (!Files.exists(dir.manifest())) {
            throw new ImageException("no image in " + dir + " (" + ImageDir.MANIFEST + " is missing)");
        }
        try {
            ImageManifest manifest = JSON.readValue(dir.manifest().toFile(), ImageManifest.class);
            if (manifest.format() > FORMAT) {
                throw new ImageException("the image in " + dir + " has format " + manifest.format()
                        + "; this Stasis reads up to format " + FORMAT);
            }
            return manifest;
        } catch (IOException e) {
            throw new ImageException("the manifest of the image in " + dir + " cannot be read: " + e.getMessage(), e);
        }
    }
}
