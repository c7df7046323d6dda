package io.stasis.forensics.internal;

import io.stasis.files.PrivateFiles;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import jdk.jfr.Configuration;
import jdk.jfr.EventType;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

/**
 * A rolling JFR recording (bounded by age and size) whose repository lives in a private {@code 0700}
 * directory, and its part of a bundle. By allow-list: only the events in {@link #EVENTS} are enabled
 * (with the JDK's {@code default} settings), and only they are written into a bundle. Another
 * recording in the same JVM shares the chunks, so a bundle gets a filtered copy (JDK 19 and later)
 * or, where the JDK cannot filter a recording, the copy only when it holds nothing else.
 */
public final class JfrRecorder {

    /**
     * What a bundle needs to explain an incident: collections and memory, CPU and threads, locks,
     * samples, errors, compilation, safepoints, containers and slow I/O. Never the events that copy
     * command lines, agents' options, the environment, system or security properties, flag values,
     * certificates or other recordings' settings (names that do not exist on a JDK are ignored).
     */
    static final Set<String> EVENTS = Set.of(
            "jdk.GarbageCollection", "jdk.YoungGarbageCollection", "jdk.OldGarbageCollection",
            "jdk.G1GarbageCollection", "jdk.ParallelOldGarbageCollection", "jdk.GCHeapSummary", "jdk.G1HeapSummary",
            "jdk.PSHeapSummary", "jdk.MetaspaceSummary", "jdk.GCPhasePause", "jdk.GCPhasePauseLevel1",
            "jdk.GCPhaseConcurrent", "jdk.GCReferenceStatistics", "jdk.GCHeapMemoryUsage", "jdk.GCHeapMemoryPoolUsage",
            "jdk.GCCPUTime", "jdk.GCConfiguration", "jdk.GCHeapConfiguration", "jdk.YoungGenerationConfiguration",
            "jdk.GCLocker", "jdk.G1MMU", "jdk.EvacuationFailed", "jdk.PromotionFailed", "jdk.ConcurrentModeFailure",
            "jdk.AllocationRequiringGC", "jdk.MetaspaceGCThreshold", "jdk.MetaspaceOOM",
            "jdk.MetaspaceAllocationFailure", "jdk.ObjectAllocationSample", "jdk.ZAllocationStall",
            "jdk.PhysicalMemory", "jdk.ResidentSetSize", "jdk.CPUInformation", "jdk.CPULoad", "jdk.ThreadCPULoad",
            "jdk.ThreadContextSwitchRate", "jdk.JavaThreadStatistics", "jdk.ThreadAllocationStatistics",
            "jdk.ExecutionSample", "jdk.NativeMethodSample", "jdk.ThreadStart", "jdk.ThreadEnd", "jdk.ThreadSleep",
            "jdk.ThreadPark", "jdk.JavaMonitorEnter", "jdk.JavaMonitorWait", "jdk.VirtualThreadPinned",
            "jdk.VirtualThreadSubmitFailed", "jdk.JavaErrorThrow", "jdk.ExceptionStatistics", "jdk.Compilation",
            "jdk.CompilationFailure", "jdk.CompilerStatistics", "jdk.CodeCacheFull", "jdk.Deoptimization",
            "jdk.SafepointBegin", "jdk.ExecuteVMOperation", "jdk.ClassLoadingStatistics", "jdk.FinalizerStatistics",
            "jdk.ContainerCPUUsage", "jdk.ContainerCPUThrottling", "jdk.ContainerMemoryUsage", "jdk.ContainerIOUsage",
            "jdk.ContainerConfiguration", "jdk.FileRead", "jdk.FileWrite", "jdk.SocketRead", "jdk.SocketWrite",
            "jdk.NetworkUtilization", "jdk.Shutdown", "jdk.DataLoss");

    /** {@code RecordingFile.write(Path, Predicate)}, JDK 19 and later; {@code null} before. */
    private static final Method FILTER = filterMethod();

    private final Recording recording;

    private JfrRecorder(Recording recording) {
        this.recording = recording;
    }

    public static JfrRecorder start(Path repository, Duration maxAge, long maxSize) throws Exception {
        PrivateFiles.directory(repository);
        JvmSections.diagnosticCommand("jfrConfigure", "repositorypath=" + repository.toAbsolutePath());
        Recording recording = new Recording(settings());
        recording.setName("stasis-forensics");
        recording.setToDisk(true);
        recording.setMaxAge(maxAge);
        recording.setMaxSize(maxSize);
        recording.start();
        return new JfrRecorder(recording);
    }

    /** The {@code default} settings of the allowed events; every other known event explicitly off. */
    static Map<String, String> settings() throws Exception {
        Map<String, String> settings = new HashMap<>();
        for (EventType type : FlightRecorder.getFlightRecorder().getEventTypes()) {
            settings.put(type.getName() + "#enabled", "false");
        }
        Configuration.getConfiguration("default").getSettings().forEach((key, value) -> {
            int hash = key.indexOf('#');
            if (hash > 0 && EVENTS.contains(key.substring(0, hash))) {
                settings.put(key, value);
            }
        });
        return settings;
    }

    /**
     * Adds {@code recording.jfr} to the bundle: the recording so far, copied into the private
     * staging directory, keeping only allowed events. Returns why it is left out, or {@code null}.
     */
    public String addTo(BundleWriter bundle, Path staging) throws Exception {
        String name = "recording-" + System.nanoTime();
        Path copy = staging.resolve(name + ".jfr");
        Path filtered = staging.resolve(name + "-filtered.jfr");
        try {
            copyTo(copy);
            Path shown = copy;
            if (FILTER != null) {
                filter(copy, filtered);
                shown = filtered;
            } else {
                Set<String> others = eventsOutsideTheAllowList(copy);
                if (!others.isEmpty()) {
                    return "left out: the chunks hold events outside the allow-list (" + String.join(", ", others)
                            + "; other recordings in this JVM: " + otherRecordings() + ") and JDK "
                            + Runtime.version().feature() + " cannot filter a recording (JDK 19 and later can)";
                }
            }
            Path file = shown;
            bundle.section("recording.jfr", out -> {
                try (InputStream in = Files.newInputStream(file)) {
                    in.transferTo(out);
                }
            });
            return null;
        } finally {
            Files.deleteIfExists(copy);
            Files.deleteIfExists(filtered);
        }
    }

    /** A stopped copy rotates the current chunk; its chunks are streamed into a new private file. */
    private void copyTo(Path file) throws Exception {
        try (Recording copy = recording.copy(true);
             FileChannel channel = PrivateFiles.createFile(file);
             OutputStream out = Channels.newOutputStream(channel)) {
            try (InputStream in = copy.getStream(null, null)) {
                if (in == null) {
                    throw new IllegalStateException("the recording holds no data yet");
                }
                in.transferTo(out);
            }
            channel.force(false);
        }
    }

    private static void filter(Path copy, Path filtered) throws Exception {
        Predicate<RecordedEvent> allowed = event -> EVENTS.contains(event.getEventType().getName());
        try (RecordingFile file = new RecordingFile(copy)) {
            FILTER.invoke(file, filtered, allowed);
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    /** The names of the events in the file that are not allowed, at most five. */
    static Set<String> eventsOutsideTheAllowList(Path file) throws Exception {
        Set<String> others = new TreeSet<>();
        try (RecordingFile recording = new RecordingFile(file)) {
            while (recording.hasMoreEvents() && others.size() < 5) {
                String type = recording.readEvent().getEventType().getName();
                if (!EVENTS.contains(type)) {
                    others.add(type);
                }
            }
        }
        return others;
    }

    private String otherRecordings() {
        List<String> names = FlightRecorder.getFlightRecorder().getRecordings().stream()
                .filter(r -> r.getId() != recording.getId()).map(r -> r.getName() + " (" + r.getState() + ")").toList();
        return names.isEmpty() ? "none" : String.join(", ", names);
    }

    private static Method filterMethod() {
        try {
            return RecordingFile.class.getMethod("write", Path.class, Predicate.class);
        } catch (NoSuchMethodException e) {
            return null;
        }
    }

    public void stop() {
        try {
            recording.close();
        } catch (RuntimeException e) {
            // shutting down
        }
    }
}
