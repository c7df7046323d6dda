package io.stasis.agent.cli;

import com.exceptionfactory.jagged.RecipientStanzaReader;
import com.exceptionfactory.jagged.RecipientStanzaWriter;
import io.stasis.crac.image.ImageCipher;
import io.stasis.forensics.AgeKeys;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Image files sealed as age files, the format of forensics bundles: to X25519 recipients when
 * imaging, with the matching identity when restoring. The stock {@code age} tool opens them too.
 */
final class AgeImageCipher implements ImageCipher {

    private final List<RecipientStanzaWriter> recipients;
    private final List<RecipientStanzaReader> identities;

    private AgeImageCipher(List<RecipientStanzaWriter> recipients, List<RecipientStanzaReader> identities) {
        this.recipients = recipients;
        this.identities = identities;
    }

    /** The sealing side, or {@code null} when no recipient is given. */
    static AgeImageCipher toRecipients(List<String> recipients, Path recipientsFile) throws IOException {
        List<String> all = new ArrayList<>(recipients);
        if (recipientsFile != null) {
            all.addAll(AgeKeys.readRecipientsFile(recipientsFile));
            if (all.isEmpty()) {
                throw new IOException(recipientsFile + " holds no recipient");
            }
        }
        return all.isEmpty() ? null : new AgeImageCipher(AgeKeys.recipients(all), List.of());
    }

    /** The opening side, or {@code null} when no key file is given. */
    static AgeImageCipher withIdentity(Path identityFile) throws IOException {
        return identityFile == null ? null : new AgeImageCipher(List.of(), AgeKeys.readIdentities(identityFile));
    }

    @Override
    public String format() {
        return "age";
    }

    @Override
    public void seal(InputStream plain, OutputStream sealed) throws IOException {
        if (recipients.isEmpty()) {
            throw new IOException("no age recipient to encrypt to");
        }
        AgeKeys.encrypt(plain, Channels.newChannel(sealed), recipients);
    }

    @Override
    public void open(InputStream sealed, OutputStream plain) throws IOException {
        if (identities.isEmpty()) {
            throw new IOException("no age identity to decrypt with");
        }
        AgeKeys.decrypt(sealed, plain, identities);
    }
}
