package io.stasis.crac.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The JVM's performance-data file ({@code /tmp/hsperfdata_USER/PID}, what {@code jps} and
 * {@code jstat} read), which HotSpot keeps mapped. A later JVM deletes the file of a process it
 * believes dead, so an image that needs the file could not be restored. Unlinked just before the
 * dump, the mapping stays and CRIU saves the file's few pages in the image (a "ghost" file) and
 * puts them back on restore. Afterwards {@code jps} no longer lists the process; {@code jcmd PID}
 * still reaches it.
 */
final class PerfData {

    private PerfData() {
    }

    /** Unlinks this JVM's own performance-data file, if it has one mapped; never anything else. */
    static void unlinkOwn() throws IOException {
        String pid = Long.toString(ProcessHandle.current().pid());
        for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
            int slash = line.indexOf('/');
            if (slash < 0 || line.endsWith(" (deleted)")) {
                continue;
            }
            Path file = Path.of(line.substring(slash));
            if (file.getParent() != null && file.getParent().getFileName() != null
                    && file.getParent().getFileName().toString().startsWith("hsperfdata_")
                    && file.getFileName().toString().equals(pid)
                    && Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                try {
                    Files.delete(file);
                } catch (NoSuchFileException e) {
                    // gone already
                }
                return;
            }
        }
    }
}
