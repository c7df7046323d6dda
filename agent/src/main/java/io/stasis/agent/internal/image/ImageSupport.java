package io.stasis.agent.internal.image;

import io.stasis.agent.internal.AgentJar;
import io.stasis.agent.internal.Log;
import io.stasis.crac.compat.CheckpointException;
import io.stasis.crac.compat.Core;
import io.stasis.crac.compat.RestoreException;
import io.stasis.crac.image.CracEngine;
import io.stasis.crac.image.ImageCheckpoint;
import io.stasis.crac.image.ImageDir;
import io.stasis.crac.image.ImageException;
import io.stasis.files.PrivateFiles;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Full-process images in the agent. On a CRaC JDK the agent's Resource joins {@code jdk.crac} and
 * {@code org.crac} is left to bridge there. On any other JDK the agent points {@code org.crac} at
 * its compat bridge, so that the application's Resources are kept and notified around CRIU images:
 * taken by {@code java -jar stasis-agent.jar image PID}, or by the application itself through
 * {@code org.crac.Core.checkpointRestore()}.
 */
public final class ImageSupport {

    /** How long a JVM that asked for its own image waits for the dumper to start CRIU. */
    private static final Duration SELF_IMAGE_TIMEOUT = Duration.ofMinutes(2);

    private static volatile boolean installed;
    private static volatile ImageDir current;
    /** Held here: the contexts hold Resources weakly. */
    private static AgentResource agentResource;

    private ImageSupport() {
    }

    /**
     * Makes images possible: the agent's Resource registered, and {@code org.crac} routed to us
     * unless {@link OrgCracRoute#route} did so already.
     *
     * @param hooks     the running agent's, or {@code null} when it was attached only to take an image
     * @param selfImage where {@code Core.checkpointRestore()} writes the image
     */
    public static synchronized void install(ImageHooks hooks, Path selfImage) {
        if (installed) {
            return;
        }
        installed = true;
        agentResource = hooks == null ? null : new AgentResource(hooks);
        if (CracEngine.available()) {
            if (agentResource != null) {
                try {
                    CracEngine.register(agentResource);
                } catch (ImageException e) {
                    Log.error(e.getMessage(), null);
                }
            }
            return;
        }
        OrgCracRoute.route();
        String compat = System.getProperty(OrgCracRoute.COMPAT_PROPERTY);
        if (!compat.equals(OrgCracRoute.COMPAT_PACKAGE)) {
            Log.info(OrgCracRoute.COMPAT_PROPERTY + "=" + compat + " is set: the application's org.crac Resources go there, "
                    + "and images notify only the agent's own");
        }
        if (agentResource != null) {
            Core.getGlobalContext().register(agentResource);
        }
        if (selfImage == null) {
            return;
        }
        Core.install(() -> {
            ImageDir dir = new ImageDir(selfImage);
            try {
                dir.clear();
            } catch (IOException e) {
                CheckpointException failure = new CheckpointException("the previous image in " + dir + " cannot be replaced");
                failure.addSuppressed(e);
                throw failure;
            }
            checkpointRestore(dir, SELF_IMAGE_TIMEOUT, ImageSupport::startDumper);
        });
    }

    /**
     * An image request from {@code java -jar stasis-agent.jar image PID}, which attached with
     * an {@link ImageRequest}: prepares on a thread of its own and returns at once, so that
     * the attach connection is closed before the dumper runs CRIU.
     */
    public static void request(ImageRequest request) {
        ImageDir dir = new ImageDir(request.dir());
        Duration timeout = request.timeout();
        Thread thread = new Thread(() -> {
            try {
                if (CracEngine.available()) {
                    CracEngine.checkpointRestore();
                    Log.info("restored from a CRaC image");
                } else {
                    checkpointRestore(dir, timeout, d -> { });
                }
            } catch (CheckpointException | RestoreException e) {
                Log.error(ImageCheckpoint.describe(e), null);
            } catch (ImageException e) {
                Log.error(e.getMessage(), null);
            }
        }, "stasis-image");
        thread.setDaemon(true);
        thread.start();
    }

    private static void checkpointRestore(ImageDir dir, Duration timeout, ImageCheckpoint.Dumper dumper)
            throws CheckpointException, RestoreException {
        current = dir;
        ImageCheckpoint.Outcome outcome = ImageCheckpoint.run(Core.getGlobalContext(), dir, dumper, timeout);
        Log.info(outcome == ImageCheckpoint.Outcome.RESTORED ? "restored from the full-process image in " + dir
                : "full-process image written to " + dir + "; this process carries on");
    }

    /** The image being taken, or last taken; {@code null} before the first. */
    static ImageDir currentImage() {
        return current;
    }

    /**
     * The dumper for an image the application asked for: the agent jar's {@code image} command,
     * started outside this JVM's process tree ({@code setsid -f}), since CRIU cannot dump its own
     * ancestor. A previous image in the directory is replaced, as {@code -XX:CRaCCheckpointTo} does.
     */
    private static void startDumper(ImageDir dir) throws IOException {
        Path agentJar = AgentJar.path();
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = List.of("setsid", "-f", java.toString(), "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-jar", agentJar.toString(), "image", Long.toString(ProcessHandle.current().pid()), "--dir",
                dir.path().toString(), "--prepared");
        Path log = dir.path().resolve("dumper.log");
        if (Files.notExists(log, LinkOption.NOFOLLOW_LINKS)) {
            PrivateFiles.createFile(log).close();
        }
        PrivateFiles.checkFile(log);
        Process setsid = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectErrorStream(true).start();
        try {
            if (setsid.waitFor() != 0) {
                throw new IOException("setsid could not start the dumper (" + String.join(" ", command) + ")");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting the dumper", e);
        }
    }
}
