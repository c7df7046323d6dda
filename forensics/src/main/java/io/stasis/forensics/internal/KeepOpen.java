package io.stasis.forensics.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;

/**
 * A channel that an age stream may close without closing what it writes to: the owner still has
 * to force it to disk, or write more after it.
 */
public final class KeepOpen implements WritableByteChannel {
    private final WritableByteChannel channel;

    public KeepOpen(WritableByteChannel channel) {
        this.channel = channel;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        int n = 0;
        while (src.hasRemaining()) {
            n += channel.write(src);
        }
        return n;
    }

    @Override
    public boolean isOpen() {
        return channel.isOpen();
    }

    @Override
    public void close() {
        // the owner closes the channel
    }
}
