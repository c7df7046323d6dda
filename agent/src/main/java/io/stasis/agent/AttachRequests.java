package io.stasis.agent;

import io.stasis.agent.internal.BesideMain;
import io.stasis.agent.internal.BootstrapInjector;
import io.stasis.agent.internal.Log;
import io.stasis.agent.internal.StartupFailure;
import io.stasis.agent.internal.capture.AttachRequest;
import io.stasis.agent.internal.image.ImageRequest;
import io.stasis.agent.internal.image.ImageSupport;
import io.stasis.bootstrap.FacadeBridge;
import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.lang.management.ManagementFactory;
import javax.management.JMException;
import javax.management.MBeanException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * What the command line attaches with ({@code image}, {@code checkpoint}, {@code incident}). Apart
 * from {@link StasisAgent} so that {@code premain} never loads it, nor the classes its code names.
 */
final class AttachRequests {

    private AttachRequests() {
    }

    /**
     * Carries out the request {@code argument} names, on the caller's hold of {@link StasisAgent}'s
     * lock; they come only by attach, so {@code premain} never looks for one.
     *
     * @return false when {@code argument} is no request but the agent's options
     */
    static boolean carryOut(String argument, Instrumentation instrumentation) {
        ImageRequest imageRequest = ImageRequest.parse(argument);
        if (imageRequest != null) {
            requestImage(imageRequest, instrumentation);
            return true;
        }
        AttachRequest attachRequest = AttachRequest.parse(argument);
        if (attachRequest == null) {
            return false;
        }
        try {
            attachRequest.checkPrivate();
        } catch (IOException | RuntimeException e) {
            StartupFailure.stop(Log.describe(e), true);
        }
        if (attachRequest.kind() == AttachRequest.Kind.INCIDENT) {
            requestIncident(attachRequest);
        } else {
            requestCheckpoint(attachRequest, instrumentation);
        }
        return true;
    }

    /**
     * {@code java -jar stasis-agent.jar image PID} attached to take a full-process image. If the agent
     * is not running in this JVM, only the image machinery is set up: no snapshots, no restore.
     */
    private static void requestImage(ImageRequest request, Instrumentation instrumentation) {
        try {
            if (StasisAgent.started) {
                BesideMain.awaitStarted();
            } else {
                BootstrapInjector.inject(instrumentation);
                StasisAgent.started = true;
                ImageSupport.install(null, null);
                Log.info("attached for a full-process image only; Resources registered through org.crac before now "
                        + "are not notified");
            }
            ImageSupport.request(request);
        } catch (Exception | LinkageError e) {
            StartupFailure.stop("the image cannot be taken: " + Log.describe(e), true);
        }
    }

    /**
     * {@code java -jar stasis-agent.jar checkpoint PID} attached to take a snapshot now, starting the
     * agent first if it is not running. It answers in the request's directory, never by failing the
     * attach, so the command can say why.
     */
    private static void requestCheckpoint(AttachRequest request, Instrumentation instrumentation) {
        try {
            try {
                if (!StasisAgent.started) {
                    // The application's state is live: there is nothing to restore into it.
                    String options = request.agentOptions();
                    StasisAgent.start(options.isBlank() ? "restore=none" : options + ",restore=none", instrumentation, true);
                }
                BesideMain.awaitStarted(); // the bridge, too, may still be on its way
                request.reply(FacadeBridge.checkpoint(request.reason()));
            } catch (RuntimeException | LinkageError e) {
                request.fail(Log.describe(e));
            }
        } catch (IOException e) {
            Log.error("cannot answer the checkpoint request in " + request.dir(), e);
        }
    }

    /**
     * {@code java -jar stasis-agent.jar incident PID} attached to capture a forensic bundle now,
     * through the forensics control in this JVM's own MBean server: no connector, nothing listening.
     */
    private static void requestIncident(AttachRequest request) {
        try {
            try {
                ObjectName name = new ObjectName("io.stasis:type=Forensics");
                MBeanServer server = ManagementFactory.getPlatformMBeanServer();
                if (!server.isRegistered(name)) {
                    request.fail("forensics is not active in process " + ProcessHandle.current().pid()
                            + " (start it with -javaagent:stasis-agent.jar=forensics=on,forensics.recipients=age1...)");
                    return;
                }
                request.reply(String.valueOf(server.invoke(name, "incident", new Object[] {request.reason()},
                        new String[] {String.class.getName()})));
            } catch (MBeanException e) {
                request.fail(Log.describe(e.getCause() != null ? e.getCause() : e));
            } catch (JMException | RuntimeException | LinkageError e) {
                request.fail(Log.describe(e));
            }
        } catch (IOException e) {
            Log.error("cannot answer the incident request in " + request.dir(), e);
        }
    }
}
