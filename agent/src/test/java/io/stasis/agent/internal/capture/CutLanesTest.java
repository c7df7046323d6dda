package io.stasis.agent.internal.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stasis.kryo.AllowedClasses;
import io.stasis.kryo.SnapshotKryo;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Tasks written on lanes run at once on threads of their own, and a cut ends only when every lane has. */
class CutLanesTest {

    private static CutLanes lanes(int count) {
        CutLanes lanes = new CutLanes(() -> SnapshotKryo.create(CutLanesTest.class.getClassLoader(), AllowedClasses.jdk()),
                count);
        lanes.prepare(lane -> lane.cut().append(lane.kryo(), List.of("warm")));
        return lanes;
    }

    @Test
    void inParallelTwoTasksRunAtTheSameTimeOnTwoLanes() throws Exception {
        CutLanes lanes = lanes(2);
        CountDownLatch bothStarted = new CountDownLatch(2);
        Set<CutLanes.Lane> used = ConcurrentHashMap.newKeySet();
        AtomicBoolean together = new AtomicBoolean(true);
        CutLanes.Task waitsForTheOther = lane -> {
            used.add(lane);
            bothStarted.countDown();
            try {
                together.compareAndSet(true, bothStarted.await(30, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                together.set(false);
            }
        };
        lanes.write(List.of(waitsForTheOther, waitsForTheOther), true);
        assertTrue(together.get(), "each task saw the other start while it waited");
        assertEquals(2, used.size());
        assertTrue(used.contains(lanes.first()));
    }

    @Test
    void inSequenceEveryTaskRunsOnTheCallersLaneInOrder() {
        CutLanes lanes = lanes(2);
        List<Integer> order = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        List<CutLanes.Task> tasks = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            int index = i;
            tasks.add(lane -> {
                assertSame(lanes.first(), lane);
                order.add(index);
                threads.add(Thread.currentThread());
            });
        }
        lanes.write(tasks, false);
        assertEquals(List.of(0, 1, 2, 3, 4), order);
        assertTrue(threads.stream().allMatch(t -> t == Thread.currentThread()));
    }

    @Test
    void everyTaskRunsOnceWhateverTheLanes() {
        for (int count : new int[] {1, 2, 3, CutLanes.MAX_LANES + 2}) {
            CutLanes lanes = lanes(count);
            Set<Integer> ran = ConcurrentHashMap.newKeySet();
            List<CutLanes.Task> tasks = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                int index = i;
                tasks.add(lane -> assertTrue(ran.add(index), "task " + index + " ran twice"));
            }
            lanes.write(tasks, true);
            assertEquals(100, ran.size(), count + " lanes");
        }
    }

    @Test
    void aFailureOnTheCallersLaneIsRethrownOnlyOnceTheOtherLanesAreDone() {
        CutLanes lanes = lanes(2);
        CountDownLatch otherStarted = new CountDownLatch(1);
        AtomicBoolean otherDone = new AtomicBoolean();
        CutLanes.Task slow = lane -> {
            otherStarted.countDown();
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            otherDone.set(true);
        };
        CutLanes.Task fails = lane -> {
            try {
                otherStarted.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("broken");
        };
        // The helper takes the first task, the caller the second (the helper is submitted first, but
        // either may win the first: the failing task waits for the slow one to have started).
        IllegalStateException thrown = assertThrows(IllegalStateException.class,
                () -> lanes.write(List.of(slow, fails), true));
        assertEquals("broken", thrown.getMessage());
        assertTrue(otherDone.get(), "the cut waited for the other lane before failing");
    }
}
