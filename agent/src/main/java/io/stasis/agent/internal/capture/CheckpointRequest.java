package io.stasis.agent.internal.capture;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Properties;
import org.apache.commons.io.FileUtils;

/**
 * The attach of {@code java -jar stasis-agent.jar checkpoint PID}. The agent argument
 * {@code checkpoint=DIR} names a private directory where the command left {@value #REQUEST} (the
 * reason, and the agent's options should it not be running yet) and where the agent answers in
 * {@value #REPLY}: the snapshot's description, or why there is none.
 */
public record CheckpointRequest(Path dir) {

    private static final String PREFIX = "checkpoint=";
    private static final String REQUEST = "request.properties";
    private static final String REPLY = "reply.properties";
    private static final String FAILED = "failed";

    /** The request, or {@code null} when the argument is something else. */
    public static CheckpointRequest parse(String argument) {
        return argument != null && argument.startsWith(PREFIX)
                ? new CheckpointRequest(Path.of(argument.substring(PREFIX.length()))) : null;
    }

    /** The command's side: a new private directory holding the request. */
    public static CheckpointRequest create(String reason, String agentOptions) throws IOException {
        Path dir = Files.createTempDirectory("stasis-checkpoint-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Properties request = new Properties();
        request.setProperty("reason", reason);
        request.setProperty("agent-options", agentOptions);
        CheckpointRequest created = new CheckpointRequest(dir);
        created.write(REQUEST, request);
        return created;
    }

    public String argument() {
        return PREFIX + dir;
    }

    public String reason() throws IOException {
        return read(REQUEST).getProperty("reason", "manual");
    }

    public String agentOptions() throws IOException {
        return read(REQUEST).getProperty("agent-options", "");
    }

    /** The agent's side: the snapshot it took. */
    public void reply(Map<String, Object> committed) throws IOException {
        Properties reply = new Properties();
        committed.forEach((key, value) -> reply.setProperty(key, String.valueOf(value)));
        write(REPLY, reply);
    }

    /** The agent's side: why there is no snapshot. */
    public void fail(String why) throws IOException {
        Properties reply = new Properties();
        reply.setProperty(FAILED, why);
        write(REPLY, reply);
    }

    /**
     * The command's side, once the attach has returned: the snapshot's description.
     *
     * @throws IOException with the agent's reason when it took none
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

    public void delete() throws IOException {
        FileUtils.deleteDirectory(dir.toFile());
    }

    private void write(String name, Properties content) throws IOException {
        Path temp = dir.resolve(name + ".tmp");
        try (Writer writer = Files.newBufferedWriter(temp, StandardCharsets.UTF_8)) {
            content.store(writer, null);
        }
        Files.move(temp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
    }

    private Properties read(String name) throws IOException {
        Properties content = new Properties();
        try (Reader reader = Files.newBufferedReader(dir.resolve(name), StandardCharsets.UTF_8)) {
            content.load(reader);
        }
        return content;
    }
}
