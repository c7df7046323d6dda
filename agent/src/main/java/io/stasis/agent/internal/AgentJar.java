package io.stasis.agent.internal;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;

/** The agent jar this code runs from: what an attach loads, and what runs the command line. */
public final class AgentJar {

    private AgentJar() {
    }

    public static Path path() throws IOException {
        try {
            return Path.of(AgentJar.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | SecurityException e) {
            throw new IOException("cannot locate the agent jar: " + e.getMessage(), e);
        }
    }
}
