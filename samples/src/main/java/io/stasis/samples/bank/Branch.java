package io.stasis.samples.bank;

import io.stasis.api.Checkpointed;
import io.stasis.api.QuiescePoint;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * One member's part of the bank: its accounts, the transfers it has sent that the receiver has
 * not acknowledged yet (its outbox), and the newest transfer it has applied from each other member.
 * Every change is a unit of work, so a cut never sees one half-done.
 *
 * <p>The contract for messages between members: a transfer leaves the sender's balance and enters
 * its outbox in one unit of work, and leaves the outbox only once the receiver has acknowledged it;
 * the receiver applies each sender's transfers in order and once, by sequence number. After a group
 * restores an epoch, the outboxes are sent again and duplicates are ignored, so every transfer takes
 * effect exactly once: the money in the accounts and in the outboxes not yet applied stays constant.
 */
public final class Branch {

    /** A transfer on its way to {@code to}'s {@code account}. */
    public record Transfer(long seq, String to, int account, long amount) {
    }

    @Checkpointed
    private long[] balances;
    @Checkpointed
    private TreeMap<Long, Transfer> outbox = new TreeMap<>();
    @Checkpointed
    private long nextSeq = 1;
    @Checkpointed
    private HashMap<String, Long> applied = new HashMap<>();

    public Branch(int accounts, long opening) {
        balances = new long[accounts];
        Arrays.fill(balances, opening);
    }

    public int accounts() {
        return balances.length;
    }

    /** Takes {@code amount} from {@code from} and puts the transfer in the outbox; false if the account has too little. */
    @QuiescePoint
    public synchronized boolean send(int from, String to, int account, long amount) {
        if (balances[from] < amount) {
            return false;
        }
        balances[from] -= amount;
        outbox.put(nextSeq, new Transfer(nextSeq, to, account, amount));
        nextSeq++;
        return true;
    }

    /** The transfers to {@code member} not acknowledged yet, oldest first. */
    public synchronized List<Transfer> pendingFor(String member) {
        return outbox.values().stream().filter(t -> t.to().equals(member)).collect(Collectors.toList());
    }

    /** The receiver has applied {@code seq}: it leaves the outbox. */
    @QuiescePoint
    public synchronized void acknowledged(long seq) {
        outbox.remove(seq);
    }

    /** Applies a transfer from {@code from}, unless it was applied before; true if it was applied now. */
    @QuiescePoint
    public synchronized boolean receive(String from, long seq, int account, long amount) {
        if (seq <= applied.getOrDefault(from, 0L)) {
            return false;
        }
        balances[account] += amount;
        applied.put(from, seq);
        return true;
    }

    /**
     * One line a checker can add up across members: {@code balance=SUM outbox=TO:SEQ:AMOUNT,…
     * applied=FROM:SEQ,…}.
     */
    public synchronized String summary() {
        long total = Arrays.stream(balances).sum();
        List<String> pending = new ArrayList<>();
        for (Transfer t : outbox.values()) {
            pending.add(t.to() + ":" + t.seq() + ":" + t.amount());
        }
        String appliedText = new TreeMap<>(applied).entrySet().stream().map(e -> e.getKey() + ":" + e.getValue())
                .collect(Collectors.joining(","));
        return "balance=" + total + " outbox=" + String.join(",", pending) + " applied=" + appliedText;
    }

    /** The newest transfer applied from each member. */
    public synchronized Map<String, Long> applied() {
        return Map.copyOf(applied);
    }
}
