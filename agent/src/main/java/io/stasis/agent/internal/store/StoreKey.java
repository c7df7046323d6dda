package io.stasis.agent.internal.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The key of an encrypted store, read from {@code encryption-key=FILE}: 32 random bytes written as
 * 64 hexadecimal characters ({@code openssl rand -hex 32 > key}). Two keys are derived from it, so
 * that neither use weakens the other: one encrypts chunks (AES-256-GCM), one names them
 * (HMAC-SHA-256 of the content, so names reveal nothing about it). Its id, derived the same way,
 * lets a reader tell a wrong key from damaged data.
 */
public final class StoreKey {

    private final SecretKeySpec encryption;
    private final SecretKeySpec naming;
    private final String id;

    private StoreKey(byte[] master) {
        this.encryption = new SecretKeySpec(derive(master, "stasis chunk encryption"), "AES");
        this.naming = new SecretKeySpec(derive(master, "stasis chunk naming"), "HmacSHA256");
        this.id = HexFormat.of().formatHex(derive(master, "stasis key id"), 0, 8);
    }

    /**
     * Reads a key file.
     *
     * @throws IOException if it cannot be read
     * @throws IllegalArgumentException if it does not hold 64 hexadecimal characters
     */
    public static StoreKey read(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
        if (!text.matches("[0-9a-fA-F]{64}")) {
            throw new IllegalArgumentException(file + " does not hold a key: expected 64 hexadecimal characters"
                    + " (32 random bytes, as written by 'openssl rand -hex 32')");
        }
        return new StoreKey(HexFormat.of().parseHex(text));
    }

    static StoreKey of(byte[] master) {
        return new StoreKey(master.clone());
    }

    SecretKeySpec encryption() {
        return encryption;
    }

    /** A MAC that names chunks (HMAC-SHA-256 with the naming key), ready for the first; one thread at a time. */
    Mac namingMac() {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(naming);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    /** A short public fingerprint: manifests record it, so a wrong key is reported as such. */
    public String id() {
        return id;
    }

    private static byte[] derive(byte[] master, String purpose) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(master, "HmacSHA256"));
            return mac.doFinal(purpose.getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
