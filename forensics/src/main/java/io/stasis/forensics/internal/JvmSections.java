package io.stasis.forensics.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.sun.management.GarbageCollectorMXBean;
import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.OutputStreamWriter;
import java.lang.management.LockInfo;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryUsage;
import java.lang.management.MonitorInfo;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import javax.management.ObjectName;

/** The parts of a bundle that describe the JVM: threads, memory, classes, flags, properties, environment. */
public final class JvmSections {

    private JvmSections() {
    }

    /** A consistent view of all platform threads, with full stacks and every lock. */
    public static final class Threads {
        final ThreadInfo[] infos;
        final Set<Long> deadlocked = new HashSet<>();

        public Threads() {
            ThreadMXBean bean = ManagementFactory.getThreadMXBean();
            infos = bean.dumpAllThreads(bean.isObjectMonitorUsageSupported(), bean.isSynchronizerUsageSupported());
            long[] ids = bean.findDeadlockedThreads();
            if (ids != null) {
                for (long id : ids) {
                    deadlocked.add(id);
                }
            }
        }

        /** jstack-like text. {@code ThreadInfo.toString()} stops at 8 frames, so this formats them all. */
        public void text(OutputStream target) {
            PrintWriter out = new PrintWriter(new OutputStreamWriter(target, StandardCharsets.UTF_8));
            out.println("Thread dump (" + infos.length + " platform threads), "
                    + System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version"));
            if (!deadlocked.isEmpty()) {
                out.println();
                out.println("Found " + deadlocked.size() + " deadlocked threads:");
                for (ThreadInfo info : infos) {
                    if (info != null && deadlocked.contains(info.getThreadId())) {
                        out.println("  \"" + info.getThreadName() + "\" #" + info.getThreadId() + " waiting for "
                                + lock(info.getLockInfo()) + " held by \"" + info.getLockOwnerName() + "\" #" + info.getLockOwnerId());
                    }
                }
            }
            for (ThreadInfo info : infos) {
                if (info == null) {
                    continue;
                }
                out.println();
                out.println("\"" + info.getThreadName() + "\" #" + info.getThreadId() + (info.isDaemon() ? " daemon" : "")
                        + " prio=" + info.getPriority() + (deadlocked.contains(info.getThreadId()) ? " DEADLOCKED" : ""));
                out.println("   java.lang.Thread.State: " + info.getThreadState()
                        + (info.getLockInfo() != null ? " on " + lock(info.getLockInfo()) : "")
                        + (info.getLockOwnerName() != null ? " owned by \"" + info.getLockOwnerName() + "\" #" + info.getLockOwnerId() : ""));
                StackTraceElement[] stack = info.getStackTrace();
                MonitorInfo[] monitors = info.getLockedMonitors();
                for (int i = 0; i < stack.length; i++) {
                    out.println("\tat " + stack[i]);
                    if (i == 0 && info.getLockInfo() != null) {
                        String verb = switch (info.getThreadState()) {
                            case BLOCKED -> "waiting to lock ";
                            case WAITING, TIMED_WAITING -> "parking to wait for / waiting on ";
                            default -> "waiting for ";
                        };
                        out.println("\t- " + verb + lock(info.getLockInfo()));
                    }
                    for (MonitorInfo monitor : monitors) {
                        if (monitor.getLockedStackDepth() == i) {
                            out.println("\t- locked " + lock(monitor));
                        }
                    }
                }
                LockInfo[] synchronizers = info.getLockedSynchronizers();
                if (synchronizers.length > 0) {
                    out.println("   Locked ownable synchronizers:");
                    for (LockInfo s : synchronizers) {
                        out.println("\t- " + lock(s));
                    }
                }
            }
            out.flush();
        }

        public void json(OutputStream target) throws IOException {
            try (JsonGenerator json = Json.to(target)) {
                json.writeStartObject();
                json.writeArrayFieldStart("deadlocked");
                for (long id : deadlocked) {
                    json.writeNumber(id);
                }
                json.writeEndArray();
                json.writeArrayFieldStart("threads");
                for (ThreadInfo info : infos) {
                    if (info == null) {
                        continue;
                    }
                    json.writeStartObject();
                    json.writeNumberField("id", info.getThreadId());
                    json.writeStringField("name", info.getThreadName());
                    json.writeStringField("state", info.getThreadState().name());
                    json.writeBooleanField("daemon", info.isDaemon());
                    json.writeNumberField("priority", info.getPriority());
                    json.writeBooleanField("deadlocked", deadlocked.contains(info.getThreadId()));
                    if (info.getLockInfo() != null) {
                        json.writeFieldName("waitingFor");
                        lockJson(json, info.getLockInfo());
                    }
                    if (info.getLockOwnerName() != null) {
                        json.writeNumberField("lockOwnerId", info.getLockOwnerId());
                        json.writeStringField("lockOwnerName", info.getLockOwnerName());
                    }
                    json.writeNumberField("blockedCount", info.getBlockedCount());
                    json.writeNumberField("waitedCount", info.getWaitedCount());
                    json.writeArrayFieldStart("stack");
                    StackTraceElement[] stack = info.getStackTrace();
                    for (int i = 0; i < stack.length; i++) {
                        StackTraceElement frame = stack[i];
                        json.writeStartObject();
                        json.writeStringField("class", frame.getClassName());
                        json.writeStringField("method", frame.getMethodName());
                        if (frame.getFileName() != null) {
                            json.writeStringField("file", frame.getFileName());
                        }
                        json.writeNumberField("line", frame.getLineNumber());
                        if (frame.isNativeMethod()) {
                            json.writeBooleanField("native", true);
                        }
                        boolean any = false;
                        for (MonitorInfo monitor : info.getLockedMonitors()) {
                            if (monitor.getLockedStackDepth() == i) {
                                if (!any) {
                                    json.writeArrayFieldStart("locked");
                                    any = true;
                                }
                                lockJson(json, monitor);
                            }
                        }
                        if (any) {
                            json.writeEndArray();
                        }
                        json.writeEndObject();
                    }
                    json.writeEndArray();
                    json.writeArrayFieldStart("lockedSynchronizers");
                    for (LockInfo s : info.getLockedSynchronizers()) {
                        lockJson(json, s);
                    }
                    json.writeEndArray();
                    json.writeEndObject();
                }
                json.writeEndArray();
                json.writeEndObject();
            }
        }

        public String deadlockedNames() {
            StringBuilder names = new StringBuilder();
            for (ThreadInfo info : infos) {
                if (info != null && deadlocked.contains(info.getThreadId())) {
                    names.append(names.length() == 0 ? "" : ", ").append(info.getThreadName());
                }
            }
            return names.toString();
        }
    }

    static String lock(LockInfo lock) {
        return "<0x" + Integer.toHexString(lock.getIdentityHashCode()) + "> (a " + lock.getClassName() + ")";
    }

    private static void lockJson(JsonGenerator json, LockInfo lock) throws IOException {
        json.writeStartObject();
        json.writeStringField("class", lock.getClassName());
        json.writeStringField("identityHashCode", "0x" + Integer.toHexString(lock.getIdentityHashCode()));
        json.writeEndObject();
    }

    /**
     * Every thread including virtual ones, in the JDK's own JSON thread-dump format (JDK 21 and
     * later): the JVM writes it to a file in the private staging directory, which is copied into the
     * bundle and deleted at once.
     *
     * @return false when the JDK cannot do it
     */
    public static boolean allThreadsJson(Path staging, OutputStream out) throws Exception {
        HotSpotDiagnosticMXBean bean = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        Class<?> format;
        try {
            format = Class.forName("com.sun.management.HotSpotDiagnosticMXBean$ThreadDumpFormat");
        } catch (ClassNotFoundException e) {
            return false;
        }
        Method dump = HotSpotDiagnosticMXBean.class.getMethod("dumpThreads", String.class, format);
        @SuppressWarnings({"unchecked", "rawtypes"})
        Object json = Enum.valueOf((Class<Enum>) format, "JSON");
        Path file = staging.resolve("threads-" + System.nanoTime() + ".json");
        try {
            dump.invoke(bean, file.toString(), json);
            try (InputStream in = Files.newInputStream(file)) {
                in.transferTo(out);
            }
        } finally {
            Files.deleteIfExists(file);
        }
        return true;
    }

    /** A full heap dump: the JVM can only write it to a file, so it goes to the private staging directory and is deleted as soon as it is copied. */
    public static void heapDump(Path staging, OutputStream out) throws IOException {
        HotSpotDiagnosticMXBean bean = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        Path file = staging.resolve("heap-" + System.nanoTime() + ".hprof");
        try {
            bean.dumpHeap(file.toString(), true);
            try (InputStream in = Files.newInputStream(file)) {
                Files.delete(file); // unlinked at once; the open descriptor still reads it
                in.transferTo(out);
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** The class histogram of live objects ({@code GC.class_histogram}). */
    public static void histogram(OutputStream out) throws Exception {
        out.write(diagnosticCommand("gcClassHistogram").getBytes(StandardCharsets.UTF_8));
    }

    /** The JVM's flags that are not at their defaults ({@code VM.flags}), and its arguments, redacted. */
    public static void flags(OutputStream target, Redactor redactor) throws Exception {
        PrintWriter out = new PrintWriter(new OutputStreamWriter(target, StandardCharsets.UTF_8));
        out.println("# VM.flags");
        Map<String, String> commands = new LinkedHashMap<>();
        HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        for (String flag : Redactor.COMMAND_FLAGS) {
            commands.put(flag, hotspot.getVMOption(flag).getValue());
        }
        out.println(redactor.vmFlags(diagnosticCommand("vmFlags"), commands));
        out.println("# JVM arguments (redacted)");
        for (String argument : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            out.println(redactor.argument(argument));
        }
        out.flush();
    }

    public static String diagnosticCommand(String operation, String... arguments) throws Exception {
        Object result = ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), operation,
                new Object[] {arguments}, new String[] {String[].class.getName()});
        return String.valueOf(result);
    }

    public static void systemProperties(OutputStream target, Redactor redactor) throws IOException {
        Properties properties = System.getProperties();
        Map<String, String> values = new LinkedHashMap<>();
        for (String name : properties.stringPropertyNames()) {
            values.put(name, properties.getProperty(name));
        }
        writeMap(target, redactor.properties(values));
    }

    public static void environment(OutputStream target, Redactor redactor) throws IOException {
        writeMap(target, redactor.environment(System.getenv()));
    }

    private static void writeMap(OutputStream target, Map<String, String> values) throws IOException {
        try (JsonGenerator json = Json.to(target)) {
            json.writeStartObject();
            for (Map.Entry<String, String> e : values.entrySet()) {
                json.writeStringField(e.getKey(), e.getValue());
            }
            json.writeEndObject();
        }
    }

    /** Heap, non-heap, every pool (usage, peak, after the last collection) and every collector. */
    public static void memory(OutputStream target) throws IOException {
        try (JsonGenerator json = Json.to(target)) {
            json.writeStartObject();
            usage(json, "heap", ManagementFactory.getMemoryMXBean().getHeapMemoryUsage());
            usage(json, "nonHeap", ManagementFactory.getMemoryMXBean().getNonHeapMemoryUsage());
            json.writeNumberField("objectsPendingFinalization", ManagementFactory.getMemoryMXBean().getObjectPendingFinalizationCount());
            json.writeArrayFieldStart("pools");
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                json.writeStartObject();
                json.writeStringField("name", pool.getName());
                json.writeStringField("type", pool.getType().name());
                usage(json, "usage", pool.getUsage());
                usage(json, "peak", pool.getPeakUsage());
                usage(json, "afterLastCollection", pool.getCollectionUsage());
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeArrayFieldStart("collectors");
            for (java.lang.management.GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                json.writeStartObject();
                json.writeStringField("name", gc.getName());
                json.writeNumberField("collections", gc.getCollectionCount());
                json.writeNumberField("timeMillis", gc.getCollectionTime());
                json.writeArrayFieldStart("pools");
                for (String pool : gc.getMemoryPoolNames()) {
                    json.writeString(pool);
                }
                json.writeEndArray();
                if (gc instanceof GarbageCollectorMXBean hotspot && hotspot.getLastGcInfo() != null) {
                    json.writeNumberField("lastDurationMillis", hotspot.getLastGcInfo().getDuration());
                }
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeEndObject();
        }
    }

    private static void usage(JsonGenerator json, String name, MemoryUsage usage) throws IOException {
        if (usage == null) {
            return;
        }
        json.writeObjectFieldStart(name);
        json.writeNumberField("init", usage.getInit());
        json.writeNumberField("used", usage.getUsed());
        json.writeNumberField("committed", usage.getCommitted());
        json.writeNumberField("max", usage.getMax());
        json.writeEndObject();
    }

    static List<String> noArguments() {
        return List.of();
    }
}
