package io.stasis.agent.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stasis.agent.internal.state.OwnerType;
import io.stasis.agent.internal.state.StateRegistry;
import io.stasis.api.Checkpointed;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DeferredStartTest {

    static final class Owner {
        @Checkpointed
        static long counter;
    }

    /** Records what the restorer would apply, on which thread. */
    static final class RecordingRestorer implements StateRegistry.OwnerListener {
        final List<Class<?>> statics = new CopyOnWriteArrayList<>();

        @Override
        public void staticsAppeared(OwnerType type) {
            statics.add(type.type());
        }

        @Override
        public void instanceAppeared(Object instance, OwnerType type) {
        }
    }

    @Test
    void anOwnerThatAppearsDuringStartUpWaitsForTheRestorer() throws Exception {
        StateRegistry registry = new StateRegistry(List.of());
        AtomicInteger preparations = new AtomicInteger();
        DeferredStart deferred = new DeferredStart(Duration.ofSeconds(30), preparations::incrementAndGet);
        registry.setListener(deferred);
        RecordingRestorer restorer = new RecordingRestorer();

        CountDownLatch registered = new CountDownLatch(1);
        Thread owner = new Thread(() -> {
            registry.initialized(Owner.class);
            registered.countDown();
        });
        owner.start();
        assertFalse(registered.await(300, TimeUnit.MILLISECONDS), "the owner went on before start-up was done");
        assertTrue(restorer.statics.isEmpty());
        assertEquals(1, preparations.get(), "the owner had its restore prepared before it waited");

        assertTrue(deferred.complete(new DeferredStart.Started(null, restorer)));
        assertTrue(registered.await(10, TimeUnit.SECONDS));
        assertEquals(List.of(Owner.class), restorer.statics);
        assertEquals(List.of(Owner.class), registry.ownerTypes(), "listed for checkpoints too");
    }

    @Test
    void aStartThatOutlastsTheLimitIsGivenUpWhole() {
        DeferredStart deferred = new DeferredStart(Duration.ofMillis(50), () -> { });
        RecordingRestorer restorer = new RecordingRestorer();

        assertNull(deferred.await(), "given up after the limit");
        deferred.staticsAppeared(null); // an owner that appears now is left as it is
        IllegalStateException facade = assertThrows(IllegalStateException.class, deferred::runtime);
        assertTrue(facade.getMessage().contains("did not finish starting"), facade.getMessage());

        assertFalse(deferred.complete(new DeferredStart.Started(null, restorer)),
                "a late runtime must not start: some owners went on without their restore");
        assertNull(deferred.await());
        assertTrue(restorer.statics.isEmpty());
    }

    @Test
    void aStartDoneBeforeTheFirstOwnerCostsItNoWait() {
        AtomicInteger preparations = new AtomicInteger();
        DeferredStart deferred = new DeferredStart(Duration.ofMillis(1), preparations::incrementAndGet);
        RecordingRestorer restorer = new RecordingRestorer();
        assertTrue(deferred.complete(new DeferredStart.Started(null, restorer)));
        deferred.staticsAppeared(new StateRegistry(List.of()).typeOf(Owner.class));
        assertEquals(List.of(Owner.class), restorer.statics);
        assertEquals(0, preparations.get(), "nothing prepared ahead: the restorer had its snapshot already");
    }
}
