package io.stasis.crac.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Base64;

/**
 * Not encryption: a stand-in that shows what goes through the {@link ImageCipher} seam and what
 * stays visible. It refuses to open what it did not seal.
 */
final class Base64Cipher implements ImageCipher {

    @Override
    public String format() {
        return "b64";
    }

    @Override
    public void seal(InputStream plain, OutputStream sealed) throws IOException {
        sealed.write(Base64.getEncoder().encode(plain.readAllBytes()));
    }

    @Override
    public void open(InputStream sealed, OutputStream plain) throws IOException {
        try {
            plain.write(Base64.getDecoder().decode(sealed.readAllBytes()));
        } catch (IllegalArgumentException e) {
            throw new IOException("not Base64: " + e.getMessage(), e);
        }
    }
}
