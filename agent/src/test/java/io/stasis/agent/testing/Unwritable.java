package io.stasis.agent.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Makes a directory unwritable even for root, which the tests run as: {@code chmod} does not stop
 * root (CAP_DAC_OVERRIDE), the immutable attribute ({@code chattr +i}) does: creating, renaming or
 * deleting an entry in it fails with EPERM ("Operation not permitted"). Needs a file system that
 * keeps the attribute (ext4, xfs, btrfs); elsewhere the test is aborted loudly ({@link Required}).
 */
public final class Unwritable implements AutoCloseable {

    private final Path dir;

    private Unwritable(Path dir) {
        this.dir = dir;
    }

    public static Unwritable make(Path dir) throws IOException, InterruptedException {
        int rc = chattr("+i", dir);
        Required.component(rc == 0, "chattr +i " + dir + " failed (exit " + rc + "): the file system does not keep"
                + " the immutable attribute, so a store cannot be made unwritable for root");
        Unwritable unwritable = new Unwritable(dir);
        boolean stopped;
        try {
            Files.delete(Files.createTempFile(dir, "probe", ".tmp"));
            stopped = false;
        } catch (IOException e) {
            stopped = true;
        }
        if (!stopped) {
            unwritable.close();
            throw new AssertionError("chattr +i " + dir + " did not stop root from creating a file in it");
        }
        return unwritable;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        int rc = chattr("-i", dir);
        if (rc != 0) {
            throw new IOException("chattr -i " + dir + " failed (exit " + rc + ")");
        }
    }

    private static int chattr(String flag, Path dir) throws IOException, InterruptedException {
        try {
            Process p = new ProcessBuilder("chattr", flag, dir.toString()).redirectErrorStream(true).start();
            p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
            return p.waitFor();
        } catch (IOException e) {
            return 127; // no chattr
        }
    }
}
