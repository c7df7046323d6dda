package io.stasis.crac.image;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeSet;
import java.util.zip.CRC32C;

/** What an image depends on, read from {@code /proc}: the kernel, the CPU, the JVM's build and command line. */
final class HostFacts {

    /** Fields of {@code /proc/PID/stat}, counted from the state, the first after the command name. */
    static final int STAT_SESSION = 3;
    static final int STAT_START_TIME = 19;

    private static final int CAP_SYS_ADMIN = 21;
    private static final int CAP_CHECKPOINT_RESTORE = 40;

    private HostFacts() {
    }

    /** One numeric field of {@code /proc/PID/stat} ({@code pid} may be {@code "self"}). */
    static long stat(String pid, int field) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"), StandardCharsets.US_ASCII);
        // The command name may hold spaces and parentheses: fields are counted after its last ')'.
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[field]);
    }

    static String kernel() throws IOException {
        return Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
    }

    static ImageManifest.Cpu cpu() throws IOException {
        String model = "";
        List<String> flags = List.of();
        for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String key = line.substring(0, colon).strip();
            String value = line.substring(colon + 1).strip();
            if (key.equals("model name") && model.isEmpty()) {
                model = value;
            } else if (key.equals("flags") && flags.isEmpty()) {
                flags = List.copyOf(new TreeSet<>(Arrays.asList(value.split("\\s+"))));
            }
        }
        return new ImageManifest.Cpu(model, flags);
    }

    /** The JDK the process runs: its home, its release file and a checksum of its libjvm. */
    static ImageManifest.Jdk jdkOf(long pid) throws IOException {
        Path libjvm = null;
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/maps"))) {
            int slash = line.indexOf('/');
            if (slash >= 0 && line.endsWith("/libjvm.so")) {
                libjvm = Path.of(line.substring(slash));
                break;
            }
        }
        if (libjvm == null) {
            throw new IOException("process " + pid + " is not a HotSpot JVM (no libjvm.so mapped)");
        }
        Path home = libjvm.getParent().getParent().getParent();
        String version = "";
        Path release = home.resolve("release");
        if (Files.exists(release)) {
            for (String line : Files.readAllLines(release)) {
                if (line.startsWith("JAVA_RUNTIME_VERSION=") || (version.isEmpty() && line.startsWith("JAVA_VERSION="))) {
                    version = line.substring(line.indexOf('=') + 1).replace("\"", "");
                }
            }
        }
        return new ImageManifest.Jdk(home.toString(), version, libjvm.toString(), crc32c(libjvm));
    }

    /** The process's command line and working directory: how to start the application without the image. */
    static ImageManifest.Application applicationOf(long pid) throws IOException {
        byte[] raw = Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline"));
        List<String> arguments = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] == 0) {
                arguments.add(new String(raw, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        String cwd = Files.readSymbolicLink(Path.of("/proc/" + pid + "/cwd")).toString();
        String executable = Files.readSymbolicLink(Path.of("/proc/" + pid + "/exe")).toString();
        if (!arguments.isEmpty()) {
            arguments.set(0, executable);
        }
        return new ImageManifest.Application(arguments, cwd, userOf(pid));
    }

    /** What descriptors 0, 1 and 2 of the process are: {@code pipe:[inode]}, a path, {@code /dev/null}. */
    static List<String> standardStreamsOf(long pid) throws IOException {
        List<String> streams = new ArrayList<>();
        for (int fd = 0; fd <= 2; fd++) {
            Path link = Path.of("/proc/" + pid + "/fd/" + fd);
            streams.add(Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                    ? Files.readSymbolicLink(link).toString() : "");
        }
        return streams;
    }

    /** Whether this process may run CRIU: root, or CAP_CHECKPOINT_RESTORE or CAP_SYS_ADMIN in effect. */
    static boolean mayCheckpoint() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("CapEff:")) {
                long caps = Long.parseUnsignedLong(line.substring(7).strip(), 16);
                return (caps & (1L << CAP_SYS_ADMIN)) != 0 || (caps & (1L << CAP_CHECKPOINT_RESTORE)) != 0;
            }
        }
        return false;
    }

    /** The real user, group and supplementary groups of the process, from {@code /proc/PID/status}. */
    static ImageManifest.User userOf(long pid) throws IOException {
        long uid = -1;
        long gid = -1;
        List<Long> groups = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            String[] fields = line.split("\\s+");
            if (line.startsWith("Uid:")) {
                uid = Long.parseLong(fields[1]);
            } else if (line.startsWith("Gid:")) {
                gid = Long.parseLong(fields[1]);
            } else if (line.startsWith("Groups:")) {
                for (int i = 1; i < fields.length; i++) {
                    groups.add(Long.parseLong(fields[i]));
                }
            }
        }
        if (uid < 0 || gid < 0) {
            throw new IOException("/proc/" + pid + "/status names no user");
        }
        return new ImageManifest.User(uid, gid, groups);
    }

    static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(sha256().digest(bytes));
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
    }

    /**
     * CRC32C of a file, in hex: which libjvm build a JVM maps (damage and tampering of images are
     * caught by the SHA-256 digests of {@link FileDigests}).
     */
    static String crc32c(Path file) throws IOException {
        CRC32C crc = new CRC32C();
        ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);
        try (FileChannel channel = FileChannel.open(file)) {
            while (channel.read(buffer) > 0) {
                buffer.flip();
                crc.update(buffer);
                buffer.clear();
            }
        }
        return String.format("%08x", crc.getValue());
    }
}
