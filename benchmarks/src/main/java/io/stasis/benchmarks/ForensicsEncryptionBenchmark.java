package io.stasis.benchmarks;

import com.exceptionfactory.jagged.RecipientStanzaWriter;
import com.exceptionfactory.jagged.framework.stream.StandardEncryptingChannelFactory;
import io.stasis.forensics.AgeKeys;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Encrypting a large bundle section: the age v1 stream forensics writes (jagged: X25519 header,
 * then ChaCha20-Poly1305 over 64 KiB chunks) against the JDK's raw AEAD ciphers in the same run,
 * both over 64 KiB chunks (as a streaming writer must) and, for AES-GCM, in one call over the whole
 * payload. Average time per payload; throughput = size / time.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class ForensicsEncryptionBenchmark {

    private static final int CHUNK = 64 * 1024;

    @Param({"67108864"})
    int size;

    private byte[] payload;
    private byte[] out;
    private List<RecipientStanzaWriter> recipients;
    private SecretKeySpec aesKey;
    private SecretKeySpec chachaKey;
    private Cipher aes;
    private Cipher chacha;

    @Setup
    public void setUp() throws Exception {
        payload = new byte[size];
        new SecureRandom().nextBytes(payload);
        out = new byte[size + 16];
        recipients = AgeKeys.recipients(List.of(AgeKeys.generate().recipient()));
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        aesKey = new SecretKeySpec(key, "AES");
        chachaKey = new SecretKeySpec(key, "ChaCha20");
        aes = Cipher.getInstance("AES/GCM/NoPadding");
        chacha = Cipher.getInstance("ChaCha20-Poly1305");
    }

    /** Counts what the age stream writes, as a file would receive it. */
    private static final class Discard implements WritableByteChannel {
        long bytes;

        @Override
        public int write(ByteBuffer src) {
            int n = src.remaining();
            src.position(src.limit());
            bytes += n;
            return n;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
        }
    }

    @Benchmark
    public long ageStream() throws Exception {
        Discard sink = new Discard();
        try (WritableByteChannel age = new StandardEncryptingChannelFactory().newEncryptingChannel(sink, recipients)) {
            for (int off = 0; off < size; off += CHUNK) {
                age.write(ByteBuffer.wrap(payload, off, Math.min(CHUNK, size - off)));
            }
        }
        return sink.bytes;
    }

    private static byte[] nonce(long counter) {
        return ByteBuffer.allocate(12).putLong(4, counter).array();
    }

    @Benchmark
    public long aesGcmChunks() throws Exception {
        long total = 0;
        long counter = 0;
        for (int off = 0; off < size; off += CHUNK) {
            aes.init(Cipher.ENCRYPT_MODE, aesKey, new GCMParameterSpec(128, nonce(counter++)));
            total += aes.doFinal(payload, off, Math.min(CHUNK, size - off), out, 0);
        }
        return total;
    }

    private long aesCounter = 1L << 40;

    @Benchmark
    public long aesGcmOneShot() throws Exception {
        aes.init(Cipher.ENCRYPT_MODE, aesKey, new GCMParameterSpec(128, nonce(aesCounter++)));
        return aes.doFinal(payload, 0, size, out, 0);
    }

    @Benchmark
    public long chacha20Poly1305Chunks() throws Exception {
        long total = 0;
        long counter = 0;
        for (int off = 0; off < size; off += CHUNK) {
            chacha.init(Cipher.ENCRYPT_MODE, chachaKey, new IvParameterSpec(nonce(counter++ + chachaBase)));
            total += chacha.doFinal(payload, off, Math.min(CHUNK, size - off), out, 0);
        }
        chachaBase += 1 << 20;
        return total;
    }

    private long chachaBase;
}
