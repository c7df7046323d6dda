package io.stasis.samples.ledger;

import io.stasis.api.CheckpointInfo;
import io.stasis.api.Stasis;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The demo: worker threads move money between accounts until the process is killed. Started
 * again under the agent, it carries on from the last snapshot with its total intact.
 *
 * <pre>
 * java -javaagent:agent/target/stasis-agent.jar=dir=demo-data,interval=1s \
 *      -cp samples/target/classes:agent/api/target/classes io.stasis.samples.ledger.LedgerApp
 * </pre>
 *
 * Options: {@code --accounts=N} (1000), {@code --threads=N} (4), {@code --opening=N} (1000),
 * {@code --report-every=MS} (1000), {@code --checkpoints=N} (take N checkpoints back to back
 * through {@code Stasis.checkpoint}, then exit), {@code --without-gate} (transfers outside units
 * of work, to show what the gate prevents), {@code --verify} (print the restored state and exit).
 */
public final class LedgerApp {

    private LedgerApp() {
    }

    public static void main(String[] args) throws InterruptedException {
        Map<String, String> options = parse(args);
        int accounts = Integer.parseInt(options.getOrDefault("accounts", "1000"));
        int threads = Integer.parseInt(options.getOrDefault("threads", "4"));
        long opening = Long.parseLong(options.getOrDefault("opening", "1000"));
        long reportEvery = Long.parseLong(options.getOrDefault("report-every", "1000"));
        boolean gated = !options.containsKey("without-gate");

        Ledger ledger = new Ledger(accounts, opening);
        System.out.println("restored: " + Stasis.lastRestore().message());
        System.out.println(status("start", ledger));
        if (options.containsKey("verify")) {
            return;
        }

        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            Thread worker = new Thread(() -> work(ledger, gated, stop), "teller-" + i);
            worker.setDaemon(true);
            worker.start();
            workers.add(worker);
        }

        if (options.containsKey("checkpoints")) {
            int count = Integer.parseInt(options.get("checkpoints"));
            for (int taken = 0, attempts = 0; taken < count && attempts < 10 * count; attempts++) {
                try {
                    CheckpointInfo info = Stasis.checkpoint("load");
                    System.out.println("checkpoint " + info.id() + " pause " + info.pause().toNanos() / 1000 + " us");
                    taken++;
                } catch (IllegalStateException e) {
                    // Without the gate, capture can meet the journal mid-update.
                    System.out.println("checkpoint failed: " + e.getMessage());
                }
            }
            // The invariants hold only between transfers: stop the tellers before checking them.
            stop.set(true);
            for (Thread worker : workers) {
                worker.join();
            }
            System.out.println(status("done", ledger));
            return;
        }
        while (true) {
            Thread.sleep(reportEvery);
            // Tellers are mid-transfer right now, so only the count is meaningful; the invariants
            // are checked on the quiescent state at start-up.
            System.out.println("progress: transfers=" + ledger.transfers());
        }
    }

    private static void work(Ledger ledger, boolean gated, AtomicBoolean stop) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int accounts = ledger.accounts();
        while (!stop.get()) {
            int from = random.nextInt(accounts);
            int to = random.nextInt(accounts);
            long amount = 1 + random.nextInt(50);
            if (gated) {
                ledger.transfer(from, to, amount);
            } else {
                ledger.transferWithoutGate(from, to, amount);
            }
        }
    }

    private static String status(String label, Ledger ledger) {
        return String.format("%s: transfers=%d total=%d invariants=%s", label, ledger.transfers(), ledger.total(),
                ledger.check());
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (String arg : args) {
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument " + arg + "; options look like --threads=4");
            }
            int eq = arg.indexOf('=');
            options.put(eq < 0 ? arg.substring(2) : arg.substring(2, eq), eq < 0 ? "" : arg.substring(eq + 1));
        }
        return options;
    }
}
