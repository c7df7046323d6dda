package io.stasis.agent.internal;

import io.stasis.agent.internal.config.AgentOptions;
import io.stasis.agent.internal.config.OptionsException;
import io.stasis.files.PrivateFiles;
import io.stasis.files.UnsafePathException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * What stops start-up and can be told without opening the store, checked before the application
 * runs when the store is opened beside it ({@link BesideMain}): the key file, and a {@code dir}
 * that exists but is not this user's private directory. Apart from {@link OpenedStore}, which
 * {@code premain} then need not load.
 */
final class StoreCheck {

    private StoreCheck() {
    }

    static void beforeOpening(AgentOptions options) throws IOException {
        if (options.encryptionKey() != null) {
            OpenedStore.readKey(options.encryptionKey());
        }
        Path dir = options.dir();
        if (dir != null && Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            try {
                PrivateFiles.checkDirectory(dir);
            } catch (UnsafePathException e) {
                throw new OptionsException("option 'dir': " + e.getMessage());
            }
        }
    }
}
