package io.stasis.agent.internal.capture;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The effective user and group of a process, from {@code /proc/PID/status}. */
public record ProcessOwner(int uid, int gid) {

    public static ProcessOwner of(long pid) throws IOException {
        return read(Path.of("/proc", Long.toString(pid), "status"));
    }

    public static ProcessOwner self() throws IOException {
        return read(Path.of("/proc/self/status"));
    }

    private static ProcessOwner read(Path status) throws IOException {
        int uid = -1;
        int gid = -1;
        for (String line : Files.readAllLines(status)) {
            // "Uid:\treal\teffective\tsaved\tfs"
            if (line.startsWith("Uid:")) {
                uid = Integer.parseInt(line.substring(4).strip().split("\\s+")[1]);
            } else if (line.startsWith("Gid:")) {
                gid = Integer.parseInt(line.substring(4).strip().split("\\s+")[1]);
            }
        }
        if (uid < 0 || gid < 0) {
            throw new IOException("no Uid or Gid line in " + status);
        }
        return new ProcessOwner(uid, gid);
    }
}
