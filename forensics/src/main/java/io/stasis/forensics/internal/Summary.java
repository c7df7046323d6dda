package io.stasis.forensics.internal;

import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.lang.management.LockInfo;
import java.lang.management.MonitorInfo;
import java.lang.management.ThreadInfo;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code summary.txt}, the first file of every bundle: what happened and when, the top of the
 * threads that matter (for a deadlock: each deadlocked thread, the lock it waits for and who holds
 * it, the locks it holds, its top frames), and which file of the bundle to read next.
 */
final class Summary {

    static final String NAME = "summary.txt";
    private static final int FRAMES = 6;

    private Summary() {
    }

    /**
     * Writes the summary; {@code threads} takes the thread dump (between the heading and the
     * threads, so that the heading is written even if the dump fails).
     *
     * @param files the files the bundle is going to hold, with what each is for
     */
    static void write(OutputStream target, Engine.Incident incident, Callable<JvmSections.Threads> threads,
                      Map<String, String> files) throws Exception {
        PrintWriter out = new PrintWriter(new OutputStreamWriter(target, StandardCharsets.UTF_8));
        try {
            out.println("Stasis incident: " + incident.trigger());
            out.println("Reason:  " + incident.reason());
            out.println("Time:    " + incident.time());
            out.println("Process: pid " + ProcessHandle.current().pid() + ", Java " + Runtime.version() + " ("
                    + System.getProperty("java.vm.name") + ")");
            out.flush();
            if (incident.exception() != null) {
                exception(out, incident.exception());
            }
            JvmSections.Threads dump = threads.call();
            if (!dump.deadlocked.isEmpty()) {
                deadlocked(out, dump);
            } else {
                states(out, dump);
            }
            out.println();
            out.println("Where to look next:");
            files.forEach((file, what) -> out.printf("  %-22s %s%n", file, what));
        } finally {
            out.flush();
        }
    }

    private static void exception(PrintWriter out, Throwable exception) {
        out.println();
        out.println("Exception: " + exception);
        StackTraceElement[] stack = exception.getStackTrace();
        for (int i = 0; i < Math.min(FRAMES, stack.length); i++) {
            out.println("    at " + stack[i]);
        }
        more(out, stack.length, "exception.txt");
        for (Throwable cause = exception.getCause(); cause != null && cause != exception; cause = cause.getCause()) {
            out.println("  caused by: " + cause);
        }
    }

    private static void deadlocked(PrintWriter out, JvmSections.Threads dump) {
        out.println();
        out.println("Deadlocked threads (" + dump.deadlocked.size() + "):");
        for (ThreadInfo info : dump.infos) {
            if (info == null || !dump.deadlocked.contains(info.getThreadId())) {
                continue;
            }
            out.println("  \"" + info.getThreadName() + "\" #" + info.getThreadId() + " " + info.getThreadState());
            if (info.getLockInfo() != null) {
                out.println("    waits for " + lock(info.getLockInfo()) + (info.getLockOwnerName() == null ? ""
                        : " held by \"" + info.getLockOwnerName() + "\" #" + info.getLockOwnerId()));
            }
            for (MonitorInfo monitor : info.getLockedMonitors()) {
                out.println("    holds " + lock(monitor) + " (locked at " + monitor.getLockedStackFrame() + ")");
            }
            for (LockInfo synchronizer : info.getLockedSynchronizers()) {
                out.println("    holds " + lock(synchronizer));
            }
            StackTraceElement[] stack = info.getStackTrace();
            for (int i = 0; i < Math.min(FRAMES, stack.length); i++) {
                out.println("    at " + stack[i]);
            }
            more(out, stack.length, "threads.txt");
        }
    }

    private static void states(PrintWriter out, JvmSections.Threads dump) {
        Map<Thread.State, Integer> counts = new EnumMap<>(Thread.State.class);
        int total = 0;
        for (ThreadInfo info : dump.infos) {
            if (info != null) {
                counts.merge(info.getThreadState(), 1, Integer::sum);
                total++;
            }
        }
        out.println();
        StringBuilder line = new StringBuilder("Threads: " + total + " platform threads");
        counts.forEach((state, n) -> line.append(", ").append(n).append(' ').append(state));
        out.println(line);
        for (ThreadInfo info : dump.infos) {
            if (info != null && info.getThreadState() == Thread.State.BLOCKED) {
                out.println("  \"" + info.getThreadName() + "\" #" + info.getThreadId() + " BLOCKED on "
                        + lock(info.getLockInfo()) + (info.getLockOwnerName() == null ? ""
                        : " held by \"" + info.getLockOwnerName() + "\" #" + info.getLockOwnerId()));
            }
        }
    }

    private static void more(PrintWriter out, int frames, String file) {
        if (frames > FRAMES) {
            out.println("    … " + (frames - FRAMES) + " more frames in " + file);
        }
    }

    private static String lock(LockInfo lock) {
        return lock == null ? "?" : JvmSections.lock(lock);
    }
}
