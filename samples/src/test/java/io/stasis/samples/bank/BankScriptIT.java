package io.stasis.samples.bank;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stasis.agent.testing.Command;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code samples/bank.sh} as the README prints it (on what the build made, and on free ports): it shows the money intact. */
class BankScriptIT {

    @Test
    void theBankScriptRestartsTheGroupWithItsMoneyIntact(@TempDir Path dir) throws Exception {
        Path root = Path.of(System.getProperty("it.projectRoot")).toAbsolutePath().normalize();
        ProcessBuilder builder = new ProcessBuilder("bash", "samples/bank.sh").directory(root.toFile());
        builder.environment().put("SKIP_BUILD", "1");
        builder.environment().put("BANK_DATA", dir.resolve("bank-data").toString());
        builder.environment().put("ZK_PORT", Integer.toString(freePort()));
        builder.environment().put("BANK_PORT", Integer.toString(freePort()));
        Command.Result script = Command.run(builder, Duration.ofMinutes(5));
        String text = script.output();
        assertEquals(0, script.exitCode(), text);
        assertTrue(text.contains("total 300000, opened with 300000: OK"), text);
        assertTrue(text.matches("(?s).*member 'a': restoring epoch (\\d+) .*member 'b': restoring epoch \\1 .*"
                + "member 'c': restoring epoch \\1 .*"), text);
    }

    private static int freePort() throws java.io.IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }
}
