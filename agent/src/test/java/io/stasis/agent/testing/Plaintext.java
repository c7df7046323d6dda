package io.stasis.agent.testing;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Searching written bytes for a canary that must never appear in the clear. */
public final class Plaintext {

    private Plaintext() {
    }

    /** Whether {@code data} holds {@code text} in UTF-8 or UTF-16 (as Java strings may sit in memory). */
    public static boolean contains(byte[] data, String text) {
        for (Charset cs : List.of(StandardCharsets.UTF_8, StandardCharsets.UTF_16LE, StandardCharsets.UTF_16BE)) {
            byte[] needle = text.getBytes(cs);
            outer:
            for (int i = 0; i + needle.length <= data.length; i++) {
                for (int j = 0; j < needle.length; j++) {
                    if (data[i + j] != needle[j]) {
                        continue outer;
                    }
                }
                return true;
            }
        }
        return false;
    }
}
