package io.stasis.agent.internal.image;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The agent argument of {@code java -jar stasis-agent.jar image PID}'s attach:
 * {@code image=DIR,timeout=SECONDS}. Apart from {@link ImageSupport} because it is read before the
 * compat bridge is on the bootstrap class path.
 */
public record ImageRequest(Path dir, Duration timeout) {

    private static final String PREFIX = "image=";

    /** The request, or {@code null} when the argument is the agent's options. */
    public static ImageRequest parse(String argument) {
        if (argument == null || !argument.startsWith(PREFIX)) {
            return null;
        }
        Path dir = null;
        Duration timeout = Duration.ofSeconds(60);
        for (String pair : argument.split(",")) {
            if (pair.startsWith(PREFIX)) {
                dir = Path.of(pair.substring(PREFIX.length()));
            } else if (pair.startsWith("timeout=")) {
                timeout = Duration.ofSeconds(Long.parseLong(pair.substring("timeout=".length())));
            }
        }
        return new ImageRequest(dir, timeout);
    }

    @Override
    public String toString() {
        return PREFIX + dir + ",timeout=" + timeout.toSeconds();
    }
}
