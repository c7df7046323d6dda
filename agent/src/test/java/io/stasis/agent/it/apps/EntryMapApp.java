package io.stasis.agent.it.apps;

import io.stasis.api.Checkpointed;
import io.stasis.api.Stasis;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

/**
 * A map of 4,000 values of 1,000 random bytes. Started without state, it fills the map,
 * checkpoints, gives 1 % of the keys new values, checkpoints again and prints both sequence numbers
 * and a digest of the map; started with state, it prints the digest of what was restored.
 */
public final class EntryMapApp {

    private static final int ENTRIES = 4000;

    @Checkpointed
    static HashMap<Integer, byte[]> values = new HashMap<>();

    private EntryMapApp() {
    }

    public static void main(String[] args) {
        if (!values.isEmpty()) {
            System.out.println("restored digest=" + digest());
            return;
        }
        Random random = new Random(1);
        for (int i = 0; i < ENTRIES; i++) {
            values.put(i, bytes(random));
        }
        long first = Stasis.checkpoint("filled").sequence();
        for (int i = 0; i < ENTRIES / 100; i++) {
            values.put(random.nextInt(ENTRIES), bytes(random));
        }
        long second = Stasis.checkpoint("changed").sequence();
        System.out.println("first=" + first + " second=" + second + " digest=" + digest());
    }

    private static byte[] bytes(Random random) {
        byte[] value = new byte[1000];
        random.nextBytes(value);
        return value;
    }

    private static int digest() {
        int digest = 0;
        for (Map.Entry<Integer, byte[]> entry : values.entrySet()) {
            digest += entry.getKey() * 31 + Arrays.hashCode(entry.getValue());
        }
        return digest;
    }
}
