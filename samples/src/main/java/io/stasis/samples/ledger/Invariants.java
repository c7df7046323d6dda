package io.stasis.samples.ledger;

import java.util.Collection;

/** The ledger's invariants, checked on a live ledger or on state decoded from a snapshot. */
public final class Invariants {

    private Invariants() {
    }

    /** {@code "OK"}, or what is broken. */
    public static String check(long[] balances, long[] transfersPerAccount, long transfers,
                               Collection<Ledger.Entry> journal, long openingBalance) {
        long total = 0;
        for (long balance : balances) {
            total += balance;
        }
        long expected = openingBalance * balances.length;
        if (total != expected) {
            return "BROKEN: total " + total + " != " + expected;
        }
        long counted = 0;
        for (long count : transfersPerAccount) {
            counted += count;
        }
        if (counted != 2 * transfers) {
            return "BROKEN: per-account transfer counts sum to " + counted + ", expected 2 x " + transfers;
        }
        long newest = journal.stream().mapToLong(Ledger.Entry::number).max().orElse(0);
        if (newest != transfers) {
            return "BROKEN: newest journal record is " + newest + ", transfers " + transfers;
        }
        return "OK";
    }
}
