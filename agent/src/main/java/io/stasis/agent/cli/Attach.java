package io.stasis.agent.cli;

import com.sun.tools.attach.VirtualMachine;
import java.io.IOException;

/** Attaching to a running JVM, with a message that names the process when it cannot be done. */
final class Attach {

    private Attach() {
    }

    static VirtualMachine to(long pid) throws IOException {
        try {
            return VirtualMachine.attach(Long.toString(pid));
        } catch (Exception e) {
            throw new IOException("cannot attach to process " + pid + ": " + e.getMessage(), e);
        }
    }
}
