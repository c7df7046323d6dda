package io.stasis.crac.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Encryption at rest for image files, which CRIU writes in the clear. Each file is sealed on its own
 * as a stream, so none is ever held whole in memory; the format must authenticate what it opens and
 * refuse a truncated file. The agent's command line supplies age.
 */
public interface ImageCipher {

    /** The format's name: recorded in the manifest and used as the sealed files' suffix. */
    String format();

    /** Encrypts all of {@code plain} to {@code sealed}; fails when this side holds no public key. */
    void seal(InputStream plain, OutputStream sealed) throws IOException;

    /** Decrypts and authenticates all of {@code sealed} to {@code plain}; fails when this side holds no private key. */
    void open(InputStream sealed, OutputStream plain) throws IOException;
}
