package io.stasis.agent.internal;

import io.stasis.agent.internal.config.AgentOptions;
import io.stasis.agent.internal.image.OrgCracRoute;
import io.stasis.agent.internal.instrument.Instrumenter;
import io.stasis.agent.internal.instrument.PatternUsage;
import io.stasis.agent.internal.restore.KryoPool;
import io.stasis.agent.internal.state.StateRegistry;
import io.stasis.agent.internal.store.FileSnapshotStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.instrument.Instrumentation;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Start-up for a local store restoring its newest snapshot (or none): before {@code main}, only
 * what must precede the application's first class (options checked, the key and the directory, the
 * instrumentation, the exit hook); the rest on a thread beside {@code main} ({@link DeferredStart}),
 * the bootstrap bridge first. A failure there stops the JVM ({@link StartupFailure}).
 *
 * <p>The bridge (the classes instrumented code, the facade and {@code org.crac} call) is defined by
 * that thread, or sooner by the thread that first needs it: one loading a class that the agent
 * rewrites, {@code io.stasis.api.Stasis}, {@code org.crac.Core} or {@code jdk.crac.Core}
 * ({@link Bridge}); before {@code main} when the facade or {@code org.crac.Core} loaded before the
 * agent (from an AOT cache). No class loaded before {@code main} names a bridge class: the JVM
 * could not link it.
 */
public final class BesideMain {

    /** The longest the application's owners and facade calls wait for start-up's second half. */
    private static final Duration START_LIMIT = Duration.ofSeconds(60);

    /** Start-up's second half, while it may still run; {@code null} when attached or started in full. */
    private static volatile DeferredStart starting;

    private BesideMain() {
    }

    /**
     * Whether start-up's second half may run beside {@code main}: for a local store restoring its
     * newest snapshot (or none). An explicit {@code restore=ID}, object storage and groups are set up
     * before {@code main} as before: what can go wrong there (no such snapshot, a bucket that cannot
     * be reached, a group that does not agree) must stop the JVM before the application runs.
     */
    public static boolean suits(AgentOptions options) {
        return options.s3() == null && options.mirror() == null && options.group() == null
                && (options.restore().equals(AgentOptions.RESTORE_LATEST)
                    || options.restore().equals(AgentOptions.RESTORE_NONE));
    }

    /** What {@code premain} does: see the class comment. */
    public static void start(Instrumentation instrumentation, AgentOptions options) throws IOException {
        if (KryoBootstrap.beforeApplication()) {
            KryoBootstrap.initialize();
        }
        OrgCracRoute.route();
        StoreCheck.beforeOpening(options);
        KryoPool restoreKryos = new KryoPool();
        DeferredStart deferred = new DeferredStart(START_LIMIT, new RestorePreparation(options, restoreKryos));
        starting = deferred;
        Bridge bridge = new Bridge(instrumentation, options, deferred);
        PatternUsage patterns = Instrumenter.install(instrumentation, options, false, bridge);
        if (Instrumenter.bridgeCallerLoadedEarly(instrumentation)) {
            bridge.registry(); // no load of it is left for the transformer to see
        }
        if (options.onExit()) {
            Runtime.getRuntime().addShutdownHook(new ExitCheckpoint(deferred));
        }
        new Remainder(options, bridge, patterns, deferred, restoreKryos).start();
    }

    /** Waits for start-up's second half (bounded), so that what follows sees the whole runtime. */
    public static void awaitStarted() {
        DeferredStart current = starting;
        if (current != null) {
            current.await();
        }
    }

    /** Whether start-up may restore something: restoring is not switched off and the store may hold a snapshot. */
    static boolean mayRestore(AgentOptions options) {
        return !options.restore().equals(AgentOptions.RESTORE_NONE) && FileSnapshotStore.mayHoldSnapshots(options.dir());
    }

    /**
     * The bridge, defined and connected once ({@link AgentRuntime#connectBridge}), by whichever thread
     * needs it first; others wait for it. As a {@link BooleanSupplier}, what the instrumentation asks.
     */
    static final class Bridge implements BooleanSupplier {
        private final Instrumentation instrumentation;
        private final AgentOptions options;
        private final DeferredStart deferred;
        private StateRegistry registry; // guarded by this
        private IOException failed; // guarded by this
        private Thread connecting; // guarded by this

        Bridge(Instrumentation instrumentation, AgentOptions options, DeferredStart deferred) {
            this.instrumentation = instrumentation;
            this.options = options;
            this.deferred = deferred;
        }

        /**
         * The registry instrumented classes report to, the bridge defined and connected.
         *
         * @return {@code null} on the thread connecting it, when a class it loads asks again
         * @throws IOException if the bridge cannot be defined (said once; asked again, the same)
         */
        synchronized StateRegistry registry() throws IOException {
            if (registry == null && failed == null && connecting == null) {
                connecting = Thread.currentThread();
                try {
                    BootstrapInjector.inject(instrumentation);
                    registry = AgentRuntime.connectBridge(options, deferred);
                } catch (IOException e) {
                    failed = e;
                } catch (RuntimeException | LinkageError e) {
                    failed = new IOException("the bridge classes cannot be set up: " + Log.describe(e), e);
                } finally {
                    connecting = null;
                }
            }
            if (failed != null) {
                throw failed;
            }
            return registry;
        }

        /** For the instrumentation: connects the bridge if need be; false only on the thread connecting it. */
        @Override
        public boolean getAsBoolean() {
            try {
                return registry() != null;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /**
     * Starts making the restore's Kryo when the first owner of state appears before start-up's
     * second half is done, if the store may hold a snapshot: that owner will wait for it. Made
     * from the start instead, it was spent for nothing whenever the snapshot holds no roots (an
     * application with no state yet), on the CPU the second half itself needs.
     */
    private static final class RestorePreparation implements Runnable {
        private final AgentOptions options;
        private final KryoPool kryos;

        RestorePreparation(AgentOptions options, KryoPool kryos) {
            this.options = options;
            this.kryos = kryos;
        }

        @Override
        public void run() {
            if (mayRestore(options)) {
                KryoBootstrap.initialize();
                kryos.prepare(ClassLoader.getSystemClassLoader());
            }
        }
    }

    /** Start-up's second half, beside {@code main}. Named classes, not lambdas: none is spun before main. */
    private static final class Remainder extends Thread {
        private final AgentOptions options;
        private final Bridge bridge;
        private final PatternUsage patterns;
        private final DeferredStart deferred;
        private final KryoPool restoreKryos;

        Remainder(AgentOptions options, Bridge bridge, PatternUsage patterns, DeferredStart deferred,
                  KryoPool restoreKryos) {
            super("stasis-start");
            setDaemon(true);
            this.options = options;
            this.bridge = bridge;
            this.patterns = patterns;
            this.deferred = deferred;
            this.restoreKryos = restoreKryos;
        }

        @Override
        public void run() {
            try {
                AgentRuntime.finishBesideMain(options, bridge.registry(), patterns, deferred, restoreKryos);
            } catch (Exception | LinkageError e) {
                StartupFailure.stop(e, false);
            }
        }
    }

    /**
     * The checkpoint on exit, once start-up is done, however soon the application ends: also when it
     * has nothing to keep, since a failure found in start-up's second half must still stop the JVM.
     */
    private static final class ExitCheckpoint extends Thread {
        private final DeferredStart deferred;

        ExitCheckpoint(DeferredStart deferred) {
            super("stasis-exit-checkpoint");
            this.deferred = deferred;
        }

        @Override
        public void run() {
            DeferredStart.Started started = deferred.await();
            if (started != null) {
                started.runtime().onExit();
            }
        }
    }
}
