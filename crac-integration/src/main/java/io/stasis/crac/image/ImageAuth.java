package io.stasis.crac.image;

import io.stasis.files.PrivateFiles;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The secret key that authenticates images: an HMAC-SHA256 over the manifest, which names every
 * stored file's SHA-256. Whoever holds the key can make an image {@code restore-image} trusts, so
 * it is kept like an SSH private key ({@code 0600}, in a {@code 0700} directory). Encryption (age)
 * only keeps an image confidential: anyone with the public key can seal a forged one.
 */
public final class ImageAuth {

    /** The default key of the user running the command. */
    public static final Path DEFAULT_KEY = Path.of(System.getProperty("user.home"), ".config", "stasis", "image-auth.key");
    private static final String ALGORITHM = "HmacSHA256";
    private static final int KEY_BYTES = 32;
    private static final Set<PosixFilePermission> OTHERS = Set.of(PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE);

    private final Path file;
    private final SecretKeySpec key;

    private ImageAuth(Path file, byte[] key) {
        this.file = file;
        this.key = new SecretKeySpec(key, ALGORITHM);
    }

    /** For {@code image}: the key in {@code file}, made (32 random bytes, {@code 0600}) if there is none yet. */
    public static ImageAuth loadOrCreate(Path file) throws ImageException {
        try {
            if (Files.notExists(file, LinkOption.NOFOLLOW_LINKS)) {
                PrivateFiles.directory(file.toAbsolutePath().getParent());
                byte[] key = new byte[KEY_BYTES];
                new SecureRandom().nextBytes(key);
                try {
                    PrivateFiles.writeNew(file, key);
                } catch (FileAlreadyExistsException e) {
                    // made meanwhile by another image command: read below like any existing key
                }
            }
        } catch (IOException e) {
            throw new ImageException("cannot make the image authentication key " + file + ": " + e.getMessage(), e);
        }
        return load(file);
    }

    /** For {@code restore-image}: the key in {@code file}, which must exist; it is never made here. */
    public static ImageAuth load(Path file) throws ImageException {
        try {
            PrivateFiles.checkFile(file);
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
            if (mode.stream().anyMatch(OTHERS::contains)) {
                throw new ImageException(file + " (mode " + PosixFilePermissions.toString(mode) + ") can be read "
                        + "by others, who could forge images with it: chmod 600 " + file + " and make a new key if "
                        + "it was exposed");
            }
            byte[] key = Files.readAllBytes(file);
            if (key.length < 16 || key.length > 1024) {
                throw new ImageException(file + " is not an image authentication key (" + key.length + " bytes; "
                        + "image makes one of 32 random bytes)");
            }
            return new ImageAuth(file, key);
        } catch (NoSuchFileException e) {
            throw new ImageException("no image authentication key at " + file + ", so no image can be authenticated: "
                    + "give the key the image was taken with (--auth-key FILE)", e);
        } catch (IOException e) {
            throw new ImageException("cannot read the image authentication key " + file + ": " + e.getMessage(), e);
        }
    }

    public Path file() {
        return file;
    }

    /** The MAC of {@code bytes}, in hex. */
    String mac(byte[] bytes) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return HexFormat.of().formatHex(mac.doFinal(bytes));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks " + ALGORITHM, e);
        }
    }

    /** Whether {@code mac} (hex, as written beside the manifest) authenticates {@code bytes}; constant time. */
    boolean verify(byte[] bytes, String mac) {
        return MessageDigest.isEqual(mac(bytes).getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                mac.strip().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }
}
