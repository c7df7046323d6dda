package io.stasis.samples.ledger;

import io.stasis.api.Checkpointed;
import io.stasis.api.QuiescePoint;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A bank ledger: money moves between accounts, never appears or vanishes. All of its state is
 * {@code @Checkpointed}; a transfer is a unit of work, so a snapshot never sees money in flight.
 *
 * <p>Invariants, true at every consistent cut: the total equals {@code accounts × opening balance};
 * the per-account transfer counts add up to twice the number of transfers; the newest journal
 * record carries the number of the last transfer.
 */
public final class Ledger {

    /** One line of the journal. */
    public record Entry(long number, int from, int to, long amount, Instant at) {
    }

    static final int JOURNAL_CAPACITY = 1_000;

    @Checkpointed
    private long[] balances;
    @Checkpointed
    private long[] transfersPerAccount;
    @Checkpointed
    private AtomicLong transfers = new AtomicLong();
    @Checkpointed
    private ArrayDeque<Entry> journal = new ArrayDeque<>();
    @Checkpointed
    private long openingBalance;

    private final Object[] locks;

    public Ledger(int accounts, long openingBalance) {
        this.balances = new long[accounts];
        this.transfersPerAccount = new long[accounts];
        this.openingBalance = openingBalance;
        Arrays.fill(balances, openingBalance);
        this.locks = new Object[accounts];
        Arrays.setAll(locks, i -> new Object());
    }

    /** A transfer as a unit of work: checkpoints wait for it to finish. */
    @QuiescePoint
    public boolean transfer(int from, int to, long amount) {
        return move(from, to, amount);
    }

    /** The same transfer outside any unit of work: a checkpoint may cut through it. */
    public boolean transferWithoutGate(int from, int to, long amount) {
        return move(from, to, amount);
    }

    private boolean move(int from, int to, long amount) {
        if (from == to) {
            return false;
        }
        Object first = locks[Math.min(from, to)];
        Object second = locks[Math.max(from, to)];
        synchronized (first) {
            synchronized (second) {
                if (balances[from] < amount) {
                    return false;
                }
                balances[from] -= amount;
                transfersPerAccount[from]++;
                settle(); // the money is in flight here
                balances[to] += amount;
                transfersPerAccount[to]++;
            }
        }
        long number = transfers.incrementAndGet();
        synchronized (journal) {
            journal.addLast(new Entry(number, from, to, amount, Instant.now()));
            if (journal.size() > JOURNAL_CAPACITY) {
                journal.removeFirst();
            }
        }
        return true;
    }

    /** A few hundred nanoseconds of settlement work between debit and credit. */
    private static void settle() {
        long spin = System.nanoTime() + 300;
        while (System.nanoTime() < spin) {
            Thread.onSpinWait();
        }
    }

    public int accounts() {
        return balances.length;
    }

    public long transfers() {
        return transfers.get();
    }

    /** What the invariants say about this ledger now; {@code "OK"} when they hold. */
    public String check() {
        return Invariants.check(balances, transfersPerAccount, transfers.get(), journal, openingBalance);
    }

    public long total() {
        long total = 0;
        for (long balance : balances) {
            total += balance;
        }
        return total;
    }
}
