package io.stasis.agent.internal.store;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The names of a store's objects ({@code docs/format.md}, "Layout"): manifests and packs by a
 * sixteen-digit sequence, format-1 files at the top. A name of the snapshot kind with another
 * number of digits is foreign: never read.
 */
final class StoreNames {

    static final String MANIFESTS = StoreDirectory.MANIFESTS;
    static final String PACKS = StoreDirectory.PACKS;
    static final Pattern MANIFEST = Pattern.compile("snapshot-(\\d{16})\\.json");
    static final Pattern VERSION_1 = Pattern.compile("snapshot-(\\d{16})\\.stasis");
    static final Pattern PACK = ManifestCodec.PACK_NAME;
    /** Names that look like snapshots: those the patterns above do not match are foreign. */
    static final Pattern ANY_MANIFEST = Pattern.compile("snapshot-.*\\.json");
    static final Pattern ANY_VERSION_1 = Pattern.compile("snapshot-.*\\.stasis");

    private StoreNames() {
    }

    static String manifest(long sequence) {
        return MANIFESTS + "/snapshot-" + sequenceText(sequence) + ".json";
    }

    static String version1(long sequence) {
        return "snapshot-" + sequenceText(sequence) + ".stasis";
    }

    /** A pack's name as manifests give it, without its folder. */
    static String pack(long sequence) {
        return "pack-" + sequenceText(sequence) + ".pack";
    }

    /**
     * A sequence number in sixteen digits, so that names sort in order. Not {@code String.format},
     * whose first use loads the locale machinery, about 15 ms of opening a store at start-up.
     */
    static String sequenceText(long sequence) {
        String digits = Long.toString(sequence);
        return digits.length() >= 16 ? digits : "0".repeat(16 - digits.length()) + digits;
    }

    /** The name after the folder. */
    static String baseName(String name) {
        return name.substring(name.lastIndexOf('/') + 1);
    }

    static long packSequence(String name) {
        String base = baseName(name);
        return Long.parseLong(base.substring("pack-".length(), base.length() - ".pack".length()));
    }

    /** The sequence of a manifest or format-1 file that {@link #MANIFEST} or {@link #VERSION_1} matches. */
    static long snapshotSequence(String name) {
        Matcher m = MANIFEST.matcher(baseName(name));
        if (!m.matches()) {
            m = VERSION_1.matcher(baseName(name));
            m.matches();
        }
        return Long.parseLong(m.group(1));
    }

    /** The objects of {@code blobs} under {@code prefix} whose names (after the folder) match {@code name}. */
    static List<BlobStore.Entry> matching(BlobStore blobs, String prefix, Pattern name) throws IOException {
        List<BlobStore.Entry> found = new ArrayList<>();
        for (BlobStore.Entry entry : blobs.list(prefix)) {
            if (name.matcher(baseName(entry.name())).matches()) {
                found.add(entry);
            }
        }
        return found;
    }

    static String foreignReason(String file) {
        return file + " is named like a snapshot but not with the 16-digit sequence number Stasis writes: never"
                + " restored (not written by Stasis: remove it)";
    }
}
