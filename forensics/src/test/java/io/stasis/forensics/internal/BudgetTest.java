package io.stasis.forensics.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BudgetTest {

    private static final long HOUR = TimeUnit.HOURS.toNanos(1);

    @Test
    void onePerFingerprintPerWindowAndARateOverAll() {
        Budget budget = new Budget(HOUR, 3, HOUR, 1 << 20);
        assertTrue(budget.admit("a", false));
        for (int i = 0; i < 10_000; i++) {
            assertFalse(budget.admit("a", false));
        }
        assertTrue(budget.admit("b", false));
        assertTrue(budget.admit("c", false));
        assertFalse(budget.admit("d", false), "rate 3 per hour");
        assertTrue(budget.admit("manual", true), "an operator's request passes");
        assertEquals(10_000, budget.suppressedByWindow());
        assertEquals(1, budget.suppressedByRate());
    }

    @Test
    void aFingerprintComesBackAfterItsWindow() throws Exception {
        Budget budget = new Budget(TimeUnit.MILLISECONDS.toNanos(50), 100, HOUR, 1 << 20);
        assertTrue(budget.admit("a", false));
        assertFalse(budget.admit("a", false));
        Thread.sleep(80);
        assertTrue(budget.admit("a", false));
    }

    @Test
    void theOldestBundlesGoFirstAndTheNewestStays(@TempDir Path dir) throws Exception {
        for (String name : List.of("incident-1.age", "incident-2.age", "incident-3.age")) {
            Files.write(dir.resolve(name), new byte[400]);
        }
        Files.write(dir.resolve("other.txt"), new byte[10_000]);
        Budget budget = new Budget(HOUR, 100, HOUR, 900);
        assertEquals(List.of(dir.resolve("incident-1.age")), budget.enforceDisk(dir, dir.resolve("incident-3.age")));
        Files.write(dir.resolve("incident-4.age"), new byte[5000]);
        assertEquals(List.of(dir.resolve("incident-2.age"), dir.resolve("incident-3.age")),
                budget.enforceDisk(dir, dir.resolve("incident-4.age")));
        assertTrue(Files.exists(dir.resolve("incident-4.age")), "the newest bundle is kept even when it alone is over");
    }
}
