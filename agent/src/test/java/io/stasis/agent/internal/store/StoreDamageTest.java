package io.stasis.agent.internal.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stasis.agent.internal.restore.Restorer;
import io.stasis.agent.internal.restore.SnapshotSelector;
import io.stasis.kryo.AllowedClasses;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A thousand and more damaged stores: flipped bits, truncations, deleted and swapped files, in
 * packs and in manifests. In every case each snapshot reads back exactly as written or is reported
 * damaged, never as other data; {@code verify} names the damage; restore takes the newest snapshot
 * that still reads, exactly as written.
 */
class StoreDamageTest {

    private static final int CASES = 1200;

    @TempDir
    Path root;

    @Test
    void damageIsDetectedAndNeverRestoredAsData() throws Exception {
        Path pristine = root.resolve("pristine");
        Map<Long, Snapshot> written = new HashMap<>();
        byte[] data = FileSnapshotStoreTest.state(2 << 20, 1);
        try (FileSnapshotStore store = FileSnapshotStore.openForWriting(pristine)) {
            for (long s = 1; s <= 3; s++) {
                data = data.clone();
                byte[] change = FileSnapshotStoreTest.state(20 << 10, 10 + s);
                System.arraycopy(change, 0, data, (int) (s * 500_000), change.length);
                for (int spot = 0; spot < 4; spot++) { // small changes too: chunks stored as deltas (format 4)
                    data[spot * 480_000 + (int) s] ^= 0x5A;
                }
                Snapshot snapshot = new Snapshot(s, java.time.Instant.ofEpochSecond(s), "test", 1, List.of(
                        new Root(Root.Kind.STATIC, "com.acme.Big", null, List.of("data"), data),
                        new Root(Root.Kind.INSTANCE, "com.acme.Small", "k" + s, List.of("x"), new byte[] {(byte) s})));
                store.write(snapshot);
                written.put(s, snapshot);
            }
            Manifest third = store.manifest(store.list().get(0));
            assertEquals(1, third.base(), "snapshot 3 is stored against snapshot 1");
            assertTrue(third.chunks().stream().anyMatch(c -> c.base() != null), "and holds deltas");
        }
        List<Path> files = files(pristine);
        Random random = new Random(42);
        Map<String, Integer> kinds = new HashMap<>();
        int detected = 0;
        for (int n = 0; n < CASES; n++) {
            Path damaged = root.resolve("case-" + n);
            copy(pristine, damaged);
            String what = damage(damaged, files, random);
            String[] words = what.split(" ");
            kinds.merge(words[0] + " " + words[1].substring(0, words[1].indexOf('/')), 1, Integer::sum);
            try (FileSnapshotStore store = FileSnapshotStore.openForReading(damaged)) {
                Long newestIntact = null;
                for (SnapshotRef ref : store.list()) {
                    try {
                        assertSame(written.get(ref.sequence()), store.read(ref), what);
                        if (newestIntact == null) {
                            newestIntact = ref.sequence();
                        }
                    } catch (CorruptSnapshotException expected) {
                        // reported, not misread
                    }
                }
                FileSnapshotStore.Verification verification = store.verify();
                boolean reported = !verification.damaged().isEmpty() || !verification.leftovers().isEmpty();
                // Losing snapshot 2 is what retention keeping one does: 3 is stored against 1, which it
                // keeps with 3. The store is smaller, not damaged. (Losing 1 takes 2 and 3 with it.)
                boolean oldestRetired = what.equals("delete manifests/snapshot-0000000000000002.json");
                assertTrue(reported || oldestRetired, "case " + n + " (" + what + ") went unnoticed by verify");
                detected += reported ? 1 : 0;
                Optional<Restorer> restorer = SnapshotSelector.select(store, "latest", AllowedClasses.jdk());
                assertEquals(Optional.ofNullable(newestIntact), restorer.map(r -> r.snapshot().sequence()), what);
                restorer.ifPresent(r -> assertSame(written.get(r.snapshot().sequence()), r.snapshot(), what));
            }
            deleteTree(damaged);
        }
        assertTrue(detected >= 1000, detected + " of " + CASES + " cases reported by verify");
        assertEquals(8, kinds.size(), "each kind of damage, to packs and to manifests: " + kinds);
        System.out.println("store damage cases: " + kinds);
    }

    private static void assertSame(Snapshot expected, Snapshot actual, String what) {
        assertEquals(expected.sequence(), actual.sequence(), what);
        assertEquals(expected.roots().size(), actual.roots().size(), what);
        for (int i = 0; i < expected.roots().size(); i++) {
            assertEquals(expected.roots().get(i).name(), actual.roots().get(i).name(), what);
            assertArrayEquals(expected.roots().get(i).data(), actual.roots().get(i).data(), what);
        }
    }

    /** Damages one or two of the store's files at random; says what it did. */
    private static String damage(Path store, List<Path> pristineFiles, Random random) throws IOException {
        Path file = store.resolve(pristineFiles.get(random.nextInt(pristineFiles.size())));
        String name = store.relativize(file).toString();
        byte[] bytes = Files.readAllBytes(file);
        switch (random.nextInt(6)) {
            case 0, 1 -> {
                int at = random.nextInt(bytes.length);
                bytes[at] ^= (byte) (1 << random.nextInt(8));
                Files.write(file, bytes);
                return "flip " + name + " byte " + at;
            }
            case 2 -> {
                int length = random.nextInt(bytes.length);
                Files.write(file, java.util.Arrays.copyOf(bytes, length));
                return "truncate " + name + " to " + length;
            }
            case 3 -> {
                Files.delete(file);
                return "delete " + name;
            }
            default -> {
                List<Path> sameKind = new ArrayList<>();
                for (Path other : pristineFiles) {
                    Path candidate = store.resolve(other);
                    if (!candidate.equals(file) && candidate.getParent().equals(file.getParent())) {
                        sameKind.add(candidate);
                    }
                }
                if (sameKind.isEmpty()) {
                    Files.delete(file);
                    return "delete " + name;
                }
                Path other = sameKind.get(random.nextInt(sameKind.size()));
                Path temp = store.resolve("swap");
                Files.move(file, temp);
                Files.move(other, file);
                Files.move(temp, other);
                return "swap " + name + " with " + store.relativize(other);
            }
        }
    }

    private static List<Path> files(Path store) throws IOException {
        try (Stream<Path> all = Files.walk(store)) {
            return all.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().equals(".lock"))
                    .map(store::relativize).sorted().toList();
        }
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path source : all.toList()) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path path : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
        assertFalse(Files.exists(dir));
    }
}
