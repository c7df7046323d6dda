package io.stasis.forensics;

import com.exceptionfactory.jagged.RecipientStanzaReader;
import com.exceptionfactory.jagged.RecipientStanzaWriter;
import com.exceptionfactory.jagged.framework.stream.StandardEncryptingChannelFactory;
import com.exceptionfactory.jagged.x25519.X25519KeyPairGenerator;
import com.exceptionfactory.jagged.x25519.X25519RecipientStanzaReaderFactory;
import com.exceptionfactory.jagged.x25519.X25519RecipientStanzaWriterFactory;
import io.stasis.forensics.internal.KeepOpen;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;

/**
 * age X25519 keys: generating a pair, reading recipients and identities, encrypting and decrypting. The
 * format is the standard one, so the stock {@code age} tool reads and writes the same keys.
 */
public final class AgeKeys {

    private AgeKeys() {
    }

    /** A new key pair: {@code age1...} (public, the recipient) and {@code AGE-SECRET-KEY-1...} (private, the identity). */
    public record Pair(String recipient, String identity) {
        @Override
        public String toString() {
            return "Pair[" + recipient + "]";
        }
    }

    public static Pair generate() {
        try {
            KeyPair pair = new X25519KeyPairGenerator().generateKeyPair();
            return new Pair(pair.getPublic().toString(), pair.getPrivate().toString());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate an X25519 key pair: " + e.getMessage(), e);
        }
    }

    /** Checks and converts recipients; the message of the exception names the bad one. */
    public static List<RecipientStanzaWriter> recipients(List<String> recipients) {
        List<RecipientStanzaWriter> writers = new ArrayList<>();
        for (String recipient : recipients) {
            try {
                writers.add(X25519RecipientStanzaWriterFactory.newRecipientStanzaWriter(recipient));
            } catch (GeneralSecurityException | RuntimeException e) {
                throw new IllegalArgumentException("'" + abbreviate(recipient) + "' is not an age X25519 recipient (age1...)");
            }
        }
        return writers;
    }

    /** Recipients from a file in the format of {@code age -R}: one per line, {@code #} comments and blank lines ignored. */
    public static List<String> readRecipientsFile(Path file) throws IOException {
        List<String> recipients = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String trimmed = line.trim();
            if (!trimmed.isEmpty() && !trimmed.startsWith("#")) {
                recipients.add(trimmed);
            }
        }
        return recipients;
    }

    /** Identities from a key file as {@code age-keygen} and {@code keygen} write it. */
    public static List<RecipientStanzaReader> readIdentities(Path file) throws IOException {
        List<RecipientStanzaReader> readers = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String trimmed = line.trim();
            if (trimmed.startsWith("AGE-SECRET-KEY-1")) {
                try {
                    readers.add(X25519RecipientStanzaReaderFactory.newRecipientStanzaReader(trimmed));
                } catch (GeneralSecurityException | RuntimeException e) {
                    throw new IOException(file + " holds a malformed AGE-SECRET-KEY-1 line");
                }
            }
        }
        if (readers.isEmpty()) {
            throw new IOException(file + " holds no age identity (a line AGE-SECRET-KEY-1...)");
        }
        return readers;
    }

    /**
     * Encrypts all of {@code in} to {@code out} as one age file, streamed in age's 64 KiB chunks;
     * {@code out} is left open.
     */
    public static long encrypt(InputStream in, WritableByteChannel out, List<RecipientStanzaWriter> recipients)
            throws IOException {
        long total = 0;
        try (WritableByteChannel channel = new StandardEncryptingChannelFactory()
                .newEncryptingChannel(new KeepOpen(out), recipients)) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                ByteBuffer chunk = ByteBuffer.wrap(buffer, 0, n);
                while (chunk.hasRemaining()) {
                    channel.write(chunk);
                }
                total += n;
            }
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot start the age stream: " + describe(e), e);
        }
        return total;
    }

    /**
     * Decrypts an age file to {@code out}, its chunks on several cores. Every chunk is authenticated
     * before it is written, and a file that ends early (no final chunk) fails: a torn or altered
     * bundle never passes as whole.
     *
     * @throws IOException with a message that says what is wrong with the file
     */
    public static long decrypt(InputStream in, OutputStream out, List<RecipientStanzaReader> identities) throws IOException {
        long total;
        try {
            total = ParallelPayload.decrypt(in, out, identities); // the JDK's cipher is the cost: use every core
        } catch (GeneralSecurityException e) {
            throw new IOException("not decryptable with the given identity, or the header is damaged: " + describe(e), e);
        } catch (IOException e) {
            throw new IOException("corrupted or truncated: " + describe(e), e);
        } catch (RuntimeException e) {
            throw new IOException("corrupted or truncated: " + describe(e), e);
        }
        return total;
    }

    private static String describe(Throwable t) {
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    private static String abbreviate(String s) {
        return s.length() > 16 ? s.substring(0, 12) + "..." : s;
    }
}
