import java.util.HashMap;
import java.util.Map;

/**
 * A service whose start-up is expensive: it builds an in-memory index (about 1.5 million entries)
 * and warms its code path up before it serves. Prints "op N" for each operation it serves.
 */
public class WarmService {
    static final Map<Integer, String> INDEX = new HashMap<>();

    public static void main(String[] args) throws Exception {
        long start = System.nanoTime();
        for (int i = 0; i < 1_500_000; i++) {
            INDEX.put(i, Integer.toHexString(i * 31));
        }
        long sum = 0;
        for (int round = 0; round < 20; round++) {
            for (int i = 0; i < 1_500_000; i += 7) {
                sum += INDEX.get(i).length();
            }
        }
        System.out.println("warmed up in " + (System.nanoTime() - start) / 1_000_000 + " ms (" + sum + ")");
        for (long op = 1; ; op++) {
            System.out.println("op " + op + " " + INDEX.get((int) (op % 1_500_000)));
            Thread.sleep(100);
        }
    }
}
