package io.stasis.agent.internal.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stasis.forensics.AgeKeys;
import io.stasis.forensics.ForensicsConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ForensicsOptionsTest {

    static final String RECIPIENT = AgeKeys.generate().recipient();

    private static AgentOptions parse(String argument) {
        return OptionsParser.parse(argument, new Properties());
    }

    private static String error(String argument) {
        return assertThrows(OptionsException.class, () -> parse(argument)).getMessage();
    }

    @Test
    void offByDefault() {
        assertNull(parse("dir=/tmp/x").forensics());
        assertNull(parse("forensics=off").forensics());
    }

    @Test
    void onWithDefaults() {
        ForensicsConfig f = parse("dir=/tmp/x,forensics=on,forensics.recipients=" + RECIPIENT).forensics();
        assertEquals(Path.of("/tmp/x/forensics"), f.dir());
        assertEquals(List.of(RECIPIENT), f.recipients());
        assertTrue(f.onUncaught() && f.onDeadlock() && f.onMemory() && f.onGcPause() && f.jfr() && f.state() && f.histogram());
        assertEquals(10, f.rateCount());
        assertEquals(Duration.ofHours(1), f.ratePeriod());
        assertEquals(1L << 30, f.diskBudget());
        assertEquals(Duration.ofMinutes(10), f.window());
        assertEquals(8L << 20, f.oomReserve());
    }

    @Test
    void withoutARecipientStartUpFailsClosed() {
        String message = error("forensics=on");
        assertTrue(message.startsWith("option 'forensics.recipients':"), message);
        assertTrue(message.contains("nothing is ever written unencrypted"), message);
    }

    @Test
    void badValuesNameTheirKey() {
        String on = "forensics=on,forensics.recipients=" + RECIPIENT + ",";
        assertTrue(error("forensics=on,forensics.recipients=age1nope").contains("'forensics.recipients'"));
        assertTrue(error(on + "forensics.rate=lots").contains("'forensics.rate'"));
        assertTrue(error(on + "forensics.disk-budget=0").contains("'forensics.disk-budget'"));
        assertTrue(error(on + "forensics.memory-threshold=100").contains("'forensics.memory-threshold'"));
        assertTrue(error(on + "forensics.gc-pause=soon").contains("'forensics.gc-pause'"));
        assertTrue(error(on + "forensics.jfr=maybe").contains("'forensics.jfr'"));
        assertTrue(error(on + "forensics.bogus=1").contains("unknown option 'forensics.bogus'"));
        assertTrue(error("forensics.window=1m").contains("forensics is off"));
    }

    @Test
    void recipientsFromAFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("recipients.txt");
        String second = AgeKeys.generate().recipient();
        Files.writeString(file, "# ops\n" + RECIPIENT + "\n\n" + second + "\n");
        ForensicsConfig f = parse("forensics=on,forensics.recipients-file=" + file + ",forensics.rate=2/30s,"
                + "forensics.disk-budget=512k,forensics.dir=" + dir).forensics();
        assertEquals(List.of(RECIPIENT, second), f.recipients());
        assertEquals(2, f.rateCount());
        assertEquals(Duration.ofSeconds(30), f.ratePeriod());
        assertEquals(512 * 1024, f.diskBudget());
        assertEquals(dir, f.dir());
        assertTrue(error("forensics=on,forensics.recipients-file=" + dir.resolve("missing")).contains("'forensics.recipients-file'"));
    }
}
