package io.stasis.forensics;

import com.exceptionfactory.jagged.RecipientStanzaReader;
import com.exceptionfactory.jagged.framework.crypto.CipherKey;
import com.exceptionfactory.jagged.framework.format.StandardPayloadKeyReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Decrypts an age v1 file with its payload's chunks spread over the cores. The chunks are
 * independent: each is 64 KiB of ChaCha20-Poly1305 under the payload key, with a nonce of an
 * 11-byte counter and a last-chunk flag, so they can be opened in any order and written in order.
 * The header (stanzas, MAC, payload nonce) is read and authenticated by jagged. The checks are
 * those of a sequential reader: every chunk authenticated before anything of it is written, the
 * final piece of the file opened as the last chunk (so a file cut at a chunk boundary fails), an
 * empty last chunk only as the only one.
 */
final class ParallelPayload {

    static final int CHUNK = 1 << 16;
    static final int TAG = 16;
    private static final int SEALED = CHUNK + TAG;
    /** The header and payload nonce must fit here (jagged's own reader has the same bound). */
    private static final int HEADER_READ = SEALED;

    private ParallelPayload() {
    }

    /**
     * @throws GeneralSecurityException when no identity opens the header, or it does not authenticate
     * @throws IOException when the payload is corrupted or truncated, or reading or writing fails
     */
    static long decrypt(InputStream in, OutputStream out, List<RecipientStanzaReader> identities)
            throws GeneralSecurityException, IOException {
        byte[] start = in.readNBytes(HEADER_READ);
        ByteBuffer header = ByteBuffer.wrap(start);
        CipherKey key = new StandardPayloadKeyReader().getPayloadKey(header, identities);
        byte[] keyBytes = key.getEncoded();
        key.destroy();
        Chunks chunks = new Chunks(in, Arrays.copyOfRange(start, header.position(), start.length));
        int threads = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "stasis-decrypt");
            t.setDaemon(true);
            return t;
        });
        ThreadLocal<Cipher> ciphers = ThreadLocal.withInitial(ParallelPayload::cipher);
        Deque<Future<byte[]>> pending = new ArrayDeque<>();
        long total = 0;
        try {
            long counter = 0;
            for (byte[] sealed = chunks.next(); sealed != null; counter++) {
                byte[] next = sealed.length == SEALED ? chunks.next() : null;
                boolean last = next == null;
                if (last && sealed.length == TAG && counter > 0 || sealed.length < TAG) {
                    throw new IOException("the payload ends with a chunk of " + sealed.length + " bytes after chunk " + counter);
                }
                byte[] chunk = sealed;
                long index = counter;
                pending.add(pool.submit(() -> open(ciphers.get(), keyBytes, chunk, index, last)));
                while (pending.size() > 2 * threads) {
                    total += write(pending.poll(), out);
                }
                sealed = next;
            }
            if (counter == 0) {
                throw new IOException("the file has a header but no payload");
            }
            while (!pending.isEmpty()) {
                total += write(pending.poll(), out);
            }
            return total;
        } finally {
            pending.forEach(f -> f.cancel(true));
            pool.shutdownNow();
            Arrays.fill(keyBytes, (byte) 0);
        }
    }

    private static long write(Future<byte[]> chunk, OutputStream out) throws IOException {
        byte[] plain;
        try {
            plain = chunk.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while decrypting", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof IOException io ? io : new IOException(cause.getMessage(), cause);
        }
        out.write(plain);
        return plain.length;
    }

    private static byte[] open(Cipher cipher, byte[] key, byte[] sealed, long counter, boolean last) throws IOException {
        byte[] nonce = new byte[12];
        for (int i = 0; i < 8; i++) {
            nonce[10 - i] = (byte) (counter >>> (8 * i));
        }
        nonce[11] = (byte) (last ? 1 : 0);
        try {
            cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "ChaCha20"), new IvParameterSpec(nonce));
            return cipher.doFinal(sealed);
        } catch (GeneralSecurityException e) {
            throw new IOException("chunk " + counter + (last ? " (the last)" : "") + " does not authenticate", e);
        }
    }

    private static Cipher cipher() {
        try {
            return Cipher.getInstance("ChaCha20-Poly1305");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no ChaCha20-Poly1305", e);
        }
    }

    /** The sealed chunks of the payload, in order: full ones, then what is left at the end. */
    private static final class Chunks {
        private final InputStream in;
        private byte[] carried;

        Chunks(InputStream in, byte[] carried) {
            this.in = in;
            this.carried = carried;
        }

        /** The next chunk (up to {@link #SEALED} bytes), or null at the end. */
        byte[] next() throws IOException {
            byte[] chunk = new byte[SEALED];
            int n = 0;
            if (carried != null) {
                n = Math.min(carried.length, SEALED);
                System.arraycopy(carried, 0, chunk, 0, n);
                carried = n < carried.length ? Arrays.copyOfRange(carried, n, carried.length) : null;
            }
            n += in.readNBytes(chunk, n, SEALED - n);
            return n == 0 ? null : n == SEALED ? chunk : Arrays.copyOf(chunk, n);
        }
    }
}
