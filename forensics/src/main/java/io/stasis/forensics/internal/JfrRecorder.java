package io.stasis.forensics.internal;

import io.stasis.files.PrivateFiles;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;

/**
 * A rolling JFR recording (the JDK's {@code default} settings, bounded by age and size) whose
 * repository lives in a private {@code 0700} directory. The events that would copy the environment,
 * the system properties, the JVM's and the program's arguments and other processes' command lines
 * into the recording are switched off, so they are neither in the repository nor in any bundle.
 */
public final class JfrRecorder {

    static final String[] SECRET_BEARING_EVENTS = {
        "jdk.InitialEnvironmentVariable", "jdk.InitialSystemProperty", "jdk.JVMInformation", "jdk.SystemProcess",
    };

    private final Recording recording;

    private JfrRecorder(Recording recording) {
        this.recording = recording;
    }

    public static JfrRecorder start(Path repository, Duration maxAge, long maxSize) throws Exception {
        PrivateFiles.directory(repository);
        JvmSections.diagnosticCommand("jfrConfigure", "repositorypath=" + repository.toAbsolutePath());
        Recording recording = new Recording(Configuration.getConfiguration("default"));
        recording.setName("stasis-forensics");
        recording.setToDisk(true);
        recording.setMaxAge(maxAge);
        recording.setMaxSize(maxSize);
        for (String event : SECRET_BEARING_EVENTS) {
            recording.disable(event);
        }
        recording.start();
        return new JfrRecorder(recording);
    }

    /**
     * The recording so far, as one {@code .jfr} file: a stopped copy rotates the current chunk, and
     * its chunks are streamed from the private repository, never dumped to another file.
     */
    public void writeTo(OutputStream out) throws Exception {
        try (Recording copy = recording.copy(true)) {
            try (InputStream in = copy.getStream(null, null)) {
                if (in == null) {
                    throw new IllegalStateException("the recording holds no data yet");
                }
                in.transferTo(out);
            }
        }
    }

    public void stop() {
        try {
            recording.close();
        } catch (RuntimeException e) {
            // shutting down
        }
    }
}
