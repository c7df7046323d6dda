package io.stasis.agent.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Collects what a server the tests started writes, line by line, for the message of a failure. */
final class OutputLines {

    private OutputLines() {
    }

    /** Reads {@code output} into {@code lines} on a daemon thread named {@code name}, until it ends. */
    static Thread collect(InputStream output, List<String> lines, String name) {
        Thread pump = new Thread(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(output, StandardCharsets.UTF_8))) {
                for (String line; (line = reader.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // stopped
            }
        }, name);
        pump.setDaemon(true);
        pump.start();
        return pump;
    }
}
