package io.stasis.agent.internal.capture;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * What {@code java -jar stasis-agent.jar checkpoint PID} and {@code incident PID} hand the agent
 * they load into a running JVM. The agent argument ({@code checkpoint=DIR} or {@code incident=DIR})
 * names a directory private to the target JVM's user where the command left {@value #REQUEST}
 * (the reason, and the agent's options should it not be running yet) and where the agent answers
 * in {@value #REPLY}: what it did, or why it did not. The agent refuses a directory that is not its
 * user's own or that others can enter. Nothing listens: the attach is the only channel.
 *
 * <p>When root asks a JVM of another user, the directory is handed to that user inside a parent
 * only root can change ({@code 0711}), so the user can neither move it nor make root follow a link.
 */
public record AttachRequest(Kind kind, Path dir) {

    /** What the command asks for. */
    public enum Kind {
        CHECKPOINT("checkpoint="), INCIDENT("incident=");

        final String prefix;

        Kind(String prefix) {
            this.prefix = prefix;
        }
    }

    private static final String REQUEST = "request.properties";
    private static final String REPLY = "reply.properties";
    private static final String FAILED = "failed";
    private static final String ANSWER = "answer";
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");

    /** The request, or {@code null} when the argument is something else. */
    public static AttachRequest parse(String argument) {
        if (argument != null) {
            for (Kind kind : Kind.values()) {
                if (argument.startsWith(kind.prefix)) {
                    return new AttachRequest(kind, Path.of(argument.substring(kind.prefix.length())));
                }
            }
        }
        return null;
    }

    /**
     * The command's side: a new directory, private to the user of process {@code pid}, holding the
     * request.
     */
    public static AttachRequest create(Kind kind, long pid, String reason, String agentOptions) throws IOException {
        ProcessOwner target;
        try {
            target = ProcessOwner.of(pid);
        } catch (IOException e) {
            throw new IOException("cannot attach to process " + pid + ": no such process (" + e.getMessage() + ")", e);
        }
        ProcessOwner self = ProcessOwner.self();
        Path parent = Files.createTempDirectory("stasis-" + kind.name().toLowerCase(Locale.ROOT) + "-",
                PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        Path dir = Files.createDirectory(parent.resolve("request"), PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        AttachRequest created = new AttachRequest(kind, dir);
        Properties request = new Properties();
        request.setProperty("reason", reason);
        request.setProperty("agent-options", agentOptions);
        created.write(REQUEST, request);
        if (self.uid() == 0 && target.uid() != 0) {
            for (Path p : List.of(dir.resolve(REQUEST), dir)) {
                Files.setAttribute(p, "unix:gid", target.gid(), LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(p, "unix:uid", target.uid(), LinkOption.NOFOLLOW_LINKS);
            }
            Files.setPosixFilePermissions(parent, PosixFilePermissions.fromString("rwx--x--x"));
        }
        return created;
    }

    public String argument() {
        return kind.prefix + dir;
    }

    /**
     * The agent's side, first: the directory is this JVM's user's own, not a link, and closed to
     * everyone else.
     *
     * @throws IOException saying which directory and why, when it is not
     */
    public void checkPrivate() throws IOException {
        PosixFileAttributes attributes = Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        int owner = (Integer) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        int self = ProcessOwner.self().uid();
        if (!attributes.isDirectory() || owner != self || !attributes.permissions().equals(OWNER_ONLY)) {
            throw new IOException("refused the request in " + dir + ": not a directory of this JVM's user (uid " + self
                    + ") with mode 0700 (it is owned by uid " + owner + ", mode "
                    + PosixFilePermissions.toString(attributes.permissions()) + "); run the command as that user or as root");
        }
    }

    public String reason() throws IOException {
        return read(REQUEST).getProperty("reason", "manual");
    }

    public String agentOptions() throws IOException {
        return read(REQUEST).getProperty("agent-options", "");
    }

    /** The agent's side: what it did. */
    public void reply(Map<String, Object> done) throws IOException {
        Properties reply = new Properties();
        done.forEach((key, value) -> reply.setProperty(key, String.valueOf(value)));
        write(REPLY, reply);
    }

    /** The agent's side: a one-line answer (an incident's bundle). */
    public void reply(String answer) throws IOException {
        reply(Map.of(ANSWER, answer));
    }

    /** The agent's side: why it did nothing. */
    public void fail(String why) throws IOException {
        Properties reply = new Properties();
        reply.setProperty(FAILED, why);
        write(REPLY, reply);
    }

    /**
     * The command's side, once the attach has returned: the agent's answer.
     *
     * @throws IOException with the agent's reason when it did nothing
     */
    public Properties answer() throws IOException {
        Properties reply;
        try {
            reply = read(REPLY);
        } catch (NoSuchFileException e) {
            throw new IOException("the agent did not answer (see the process's output)");
        }
        if (reply.containsKey(FAILED)) {
            throw new IOException(reply.getProperty(FAILED));
        }
        return reply;
    }

    /** The one-line answer of {@link #reply(String)}. */
    public String answerLine() throws IOException {
        return answer().getProperty(ANSWER, "");
    }

    /**
     * Removes the files of the exchange and the directories. Only names it knows, never following
     * a link: the directory may belong to the target's user, who may have put anything in it.
     */
    public void delete() throws IOException {
        for (String name : List.of(REQUEST, REPLY, REQUEST + ".tmp", REPLY + ".tmp")) {
            Files.deleteIfExists(dir.resolve(name));
        }
        try {
            Files.deleteIfExists(dir);
            Files.deleteIfExists(dir.getParent());
        } catch (DirectoryNotEmptyException e) {
            throw new IOException("left " + dir + ": it holds files the exchange did not write; remove it by hand", e);
        }
    }

    private void write(String name, Properties content) throws IOException {
        Path temp = dir.resolve(name + ".tmp");
        try (OutputStream out = Files.newOutputStream(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            content.store(out, null);
        }
        Files.move(temp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
    }

    private Properties read(String name) throws IOException {
        Properties content = new Properties();
        try (InputStream in = Files.newInputStream(dir.resolve(name), StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            content.load(in);
        }
        return content;
    }
}
