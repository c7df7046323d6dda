package io.stasis.agent.cli;

import com.sun.tools.attach.VirtualMachine;
import io.stasis.agent.internal.AgentJar;
import io.stasis.agent.internal.capture.AttachRequest;
import java.io.IOException;

/** Attaching to a running JVM, with a message that names the process when it cannot be done. */
final class Attach {

    private Attach() {
    }

    /** Loads the agent into process {@code pid} with the request; its answer is in the request's directory. */
    static void request(long pid, AttachRequest request) throws IOException {
        VirtualMachine vm = to(pid);
        try {
            vm.loadAgent(AgentJar.path().toString(), request.argument());
        } catch (Exception e) {
            throw new IOException("the agent in process " + pid + " did not take the request: " + e.getMessage()
                    + " (see the process's output)", e);
        } finally {
            vm.detach();
        }
    }

    static VirtualMachine to(long pid) throws IOException {
        try {
            return VirtualMachine.attach(Long.toString(pid));
        } catch (Exception e) {
            throw new IOException("cannot attach to process " + pid + ": " + e.getMessage(), e);
        }
    }
}
