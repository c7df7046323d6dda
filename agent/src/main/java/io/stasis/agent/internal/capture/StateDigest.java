package io.stasis.agent.internal.capture;

import io.stasis.agent.internal.store.Root;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * A SHA-256 of everything a cut captured (each root's name, fields and bytes, and the class table),
 * so that a periodic checkpoint whose state has not changed since the last one need not be written.
 * A digest, not a hash code: two cuts that compare equal must hold the same bytes, or state is lost.
 */
final class StateDigest {

    private final byte[] digest;

    private StateDigest(byte[] digest) {
        this.digest = digest;
    }

    static StateDigest of(List<Root> roots, List<String> classes) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        for (Root root : roots) {
            text(sha, root.name());
            for (String field : root.fields()) {
                text(sha, field);
            }
            length(sha, root.data().length);
            sha.update(root.data());
        }
        for (String type : classes) {
            text(sha, type);
        }
        return new StateDigest(sha.digest());
    }

    /** Length-prefixed, so that no two different sequences of parts digest the same bytes. */
    private static void text(MessageDigest sha, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        length(sha, bytes.length);
        sha.update(bytes);
    }

    private static void length(MessageDigest sha, int length) {
        sha.update(new byte[] {(byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length});
    }

    boolean same(StateDigest other) {
        return other != null && MessageDigest.isEqual(digest, other.digest);
    }
}
