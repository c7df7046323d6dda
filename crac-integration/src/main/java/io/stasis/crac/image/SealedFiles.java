package io.stasis.crac.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** Moving an image's files between CRIU's plain form and their sealed form, one stream at a time. */
final class SealedFiles {

    private SealedFiles() {
    }

    /** Seals each file of {@code manifest} from {@code plain} into {@code dir}, each written whole or not at all. */
    static void seal(ImageManifest manifest, Path plain, ImageDir dir, ImageCipher cipher) throws IOException {
        for (ImageManifest.ImageFile file : manifest.files()) {
            Path target = dir.path().resolve(manifest.storedName(file));
            Path partial = target.resolveSibling(target.getFileName() + ".partial");
            try (InputStream in = Files.newInputStream(plain.resolve(file.name()));
                 FileChannel channel = FileChannel.open(partial, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                cipher.seal(in, Channels.newOutputStream(channel));
                channel.force(true);
            } catch (IOException e) {
                Files.deleteIfExists(partial);
                throw new IOException("cannot encrypt " + file.name() + ": " + e.getMessage(), e);
            }
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
        }
    }

    /** Opens each sealed file of {@code manifest} in {@code dir} into {@code plain}; the message names the one that fails. */
    static void open(ImageManifest manifest, ImageDir dir, Path plain, ImageCipher cipher) throws IOException {
        for (ImageManifest.ImageFile file : manifest.files()) {
            String stored = manifest.storedName(file);
            try (InputStream in = Files.newInputStream(dir.path().resolve(stored));
                 OutputStream out = Files.newOutputStream(plain.resolve(file.name()), StandardOpenOption.CREATE_NEW)) {
                cipher.open(in, out);
            } catch (IOException e) {
                throw new IOException("image file " + stored + " cannot be decrypted: " + e.getMessage(), e);
            }
        }
    }
}
