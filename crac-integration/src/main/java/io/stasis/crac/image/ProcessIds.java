package io.stasis.crac.image;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The process and thread ids an image needs free. CRIU brings every thread back with the id it had,
 * and writes one {@code core-ID.img} per thread, so the image's files name them all. An id another
 * process holds now makes the restore fail part-way ({@code Unable to create a thread: -17}); found
 * before, it is a clear refusal that keeps the image for a later try.
 */
final class ProcessIds {

    private static final Pattern CORE_FILE = Pattern.compile("core-(\\d+)\\.img");

    private ProcessIds() {
    }

    /** The ids of the imaged process's threads, the main one included, from its files' names. */
    static List<Long> threadsOf(ImageManifest manifest) {
        TreeSet<Long> ids = new TreeSet<>();
        for (ImageManifest.ImageFile file : manifest.files()) {
            Matcher core = CORE_FILE.matcher(file.name());
            if (core.matches()) {
                ids.add(Long.parseLong(core.group(1)));
            }
        }
        ids.add(manifest.pid());
        return List.copyOf(ids);
    }

    /** One line for each of {@code manifest}'s ids that is in use here now, naming who holds it. */
    static List<String> inUse(ImageManifest manifest) {
        List<String> busy = new ArrayList<>();
        for (long id : threadsOf(manifest)) {
            // /proc/ID exists for every thread id, though only processes are listed in /proc.
            Path status = Path.of("/proc/" + id + "/status");
            if (!Files.exists(status)) {
                continue;
            }
            if (id == manifest.pid()) {
                busy.add("process " + id + " is running: the imaged process's PID must be free to restore it");
            } else {
                busy.add("thread id " + id + " of the image is in use by " + holder(status)
                        + ": CRIU restores every thread with its own id");
            }
        }
        return busy;
    }

    /**
     * The ids among {@code manifest}'s that are processes here now (thread group leaders): after a
     * restore, the restored tree's processes.
     */
    static List<Long> processesOf(ImageManifest manifest) {
        List<Long> processes = new ArrayList<>();
        for (long id : threadsOf(manifest)) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/" + id + "/status"), StandardCharsets.ISO_8859_1)) {
                    if (line.startsWith("Tgid:") && line.substring("Tgid:".length()).trim().equals(Long.toString(id))) {
                        processes.add(id);
                    }
                }
            } catch (IOException e) {
                // not running: nothing to signal
            }
        }
        return processes;
    }

    /** {@code process 123 (java)}, from a thread's status. */
    private static String holder(Path status) {
        String process = "?";
        String name = "?";
        try {
            for (String line : Files.readAllLines(status, StandardCharsets.ISO_8859_1)) {
                if (line.startsWith("Tgid:")) {
                    process = line.substring("Tgid:".length()).trim();
                } else if (line.startsWith("Name:")) {
                    name = line.substring("Name:".length()).trim();
                }
            }
        } catch (IOException e) {
            // it has just ended: the id may be free by now, and a second try will tell
        }
        return "process " + process + " (" + name + ")";
    }
}
