package io.stasis.crac.image;

import io.stasis.files.PrivateFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The JVM's performance-data file ({@code /tmp/hsperfdata_USER/PID}, what {@code jps} and
 * {@code jstat} read), which HotSpot keeps mapped and a restored JVM maps again. Every JVM that
 * starts deletes from that directory the files of processes it believes dead, and any file not
 * named like a process, so an image whose file is there could not be restored. Just before the
 * dump the JVM moves its own file, still mapped, into a private directory beside it on the same
 * filesystem ({@code /tmp/stasis-perfdata-UID}), where it stays for every restore of the image.
 * From then on {@code jps} does not list the process; {@code jcmd PID} still reaches it.
 */
final class PerfData {

    static final String DIRECTORY_PREFIX = "stasis-perfdata-";

    private PerfData() {
    }

    /** Moves this JVM's own performance-data file, if it has one mapped; never anything else. */
    static void moveOwn() throws IOException {
        long pid = ProcessHandle.current().pid();
        for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
            int slash = line.indexOf('/');
            if (slash < 0 || line.endsWith(" (deleted)")) {
                continue;
            }
            Path file = Path.of(line.substring(slash));
            Path parent = file.getParent();
            if (parent != null && parent.getFileName() != null && parent.getParent() != null
                    && parent.getFileName().toString().startsWith("hsperfdata_")
                    && file.getFileName().toString().equals(Long.toString(pid))
                    && Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                Path keep = PrivateFiles.directory(parent.getParent().resolve(DIRECTORY_PREFIX + PrivateFiles.uid()));
                // Named by process and start time: a later process with the same id never takes an image's file.
                Files.move(file, keep.resolve(pid + "-" + ImageCheckpoint.processStart()), StandardCopyOption.ATOMIC_MOVE);
                return;
            }
        }
    }
}
