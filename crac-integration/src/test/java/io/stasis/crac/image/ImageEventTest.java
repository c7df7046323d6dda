package io.stasis.crac.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stasis.crac.compat.CheckpointException;
import io.stasis.crac.compat.Core;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An image taken while a recording runs is an {@code io.stasis.Image} event: engine, directory, outcome. */
class ImageEventTest {

    @TempDir
    Path tmp;

    @Test
    void anImageLeftRunningAndAFailedOneAreRecorded() throws Exception {
        ImageDir taken = new ImageDir(tmp.resolve("taken"));
        ImageDir failed = new ImageDir(tmp.resolve("failed"));
        Path file = tmp.resolve("image.jfr");
        try (Recording recording = new Recording()) {
            recording.enable("io.stasis.Image");
            recording.start();
            assertEquals(ImageCheckpoint.Outcome.LEFT_RUNNING, ImageCheckpoint.run(Core.getGlobalContext(), taken,
                    d -> d.result(ImageDir.DUMPED), Duration.ofSeconds(10)));
            assertThrows(CheckpointException.class, () -> ImageCheckpoint.run(Core.getGlobalContext(), failed, d -> {
                throw new IOException("criu is not installed");
            }, Duration.ofSeconds(10)));
            recording.stop();
            recording.dump(file);
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(file);
        assertEquals(2, events.size(), events.toString());
        RecordedEvent left = events.get(0);
        assertEquals("io.stasis.Image", left.getEventType().getName());
        assertEquals("criu", left.getString("engine"));
        assertEquals(taken.path().toString(), left.getString("directory"));
        assertEquals("left-running", left.getString("outcome"));
        assertEquals("", left.getString("failure"));
        RecordedEvent refused = events.get(1);
        assertEquals(failed.path().toString(), refused.getString("directory"));
        assertEquals("failed", refused.getString("outcome"));
        assertTrue(refused.getString("failure").contains("no image was taken"), refused.toString());
    }
}
