package io.stasis.crac.image;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** When a failed restore may still be answered by starting the application normally. */
class CriuRestorerTest {

    @Test
    void aRestoreThatFailedBeforeTheProcessWasLetGoFallsBack() {
        String log = """
                (00.040125) Forking task with 4242 pid (flags 0x0)
                (00.061010) pie: 4242: Error (criu/pie/restorer.c:2106): Unable to create a thread: -17
                (00.062000) Error (criu/cr-restore.c:2301): Restoring FAILED.
                """;
        assertFalse(CriuRestorer.mayHaveRun(log));
    }

    /** The application exited at once: CRIU could not detach from its last threads and says FAILED. */
    @Test
    void aRestoreThatFailedAfterTheProcessWasLetGoDoesNotStartASecondCopy() {
        String log = """
                (00.080125) Run late stage hook from criu master for external devices
                (00.081010) Error (compel/src/lib/infect.c:1): Unable to detach 4250: No such process
                (00.082000) Error (criu/cr-restore.c:2324): Restoring FAILED.
                """;
        assertTrue(CriuRestorer.mayHaveRun(log));
        assertTrue(CriuRestorer.mayHaveRun("(00.09) Restore finished successfully. Tasks resumed.\n"));
    }
}
