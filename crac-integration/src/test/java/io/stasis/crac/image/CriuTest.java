package io.stasis.crac.image;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class CriuTest {

    private static Criu criu(int major, int minor) {
        return new Criu(Path.of("/opt/criu/bin/criu"), new int[] {major, minor});
    }

    @Test
    void aCriuTooOldForTheKernelIsAClearErrorThatSaysWhatToInstall() {
        // Debian 12's CRIU on a kernel from 6.13 fails deep inside a dump ("Unexpected rt vDSO area bounds").
        ImageException e = assertThrows(ImageException.class, () -> criu(3, 17).checkKernel("6.18.44-fc-v782"));
        assertTrue(e.getMessage().contains("CRIU 3.17 (/opt/criu/bin/criu) is too old for kernel 6.18.44-fc-v782"),
                e.getMessage());
        assertTrue(e.getMessage().contains("install-criu.sh"), e.getMessage());
        assertThrows(ImageException.class, () -> criu(4, 0).checkKernel("7.0.1"));
    }

    @Test
    void whatFitsTheKernelPasses() {
        assertDoesNotThrow(() -> criu(4, 1).checkKernel("6.13.0"));
        assertDoesNotThrow(() -> criu(5, 0).checkKernel("6.18.44"));
        assertDoesNotThrow(() -> criu(3, 17).checkKernel("6.1.0-28-amd64"));
        assertDoesNotThrow(() -> criu(3, 17).checkKernel("unknown"));
    }

    @Test
    void theTcpSocketFailureOfCriu41OnNewKernelsSaysWhatToInstall() {
        String errors = "Error (criu/sockets.c:628): sockets: Can't get 1:16 opt: Operation not supported";
        assertTrue(Criu.hint(errors).contains("install CRIU 4.2"), Criu.hint(errors));
        org.junit.jupiter.api.Assertions.assertEquals("", Criu.hint("Error (criu/cr-dump.c:1): Dumping FAILED."));
    }
}
