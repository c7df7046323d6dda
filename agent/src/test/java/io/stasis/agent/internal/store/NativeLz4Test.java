package io.stasis.agent.internal.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.stasis.agent.internal.PrivateLibrary;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;
import org.junit.jupiter.api.Test;

/**
 * The native LZ4 compressor, loaded as the store loads it, in this JVM. The build's machines are
 * Linux on a platform lz4-java ships a library for, so here it must load. (On JDK 24 and later
 * without {@code --enable-native-access} it is not tried at all: {@code IncrementalCheckpointIT}
 * checks that with the agent on JDK 25.)
 */
class NativeLz4Test {

    private static final int[] LENGTHS = {0, 1, 15, 16, 270, 4096, 6000, Chunker.MAX};

    @Test
    void itsBlocksReadBackThroughThePureJavaDecompressor() throws Exception {
        assumeTrue(NativeLz4.nativeAccessAllowed(), "JDK 24+ without native access: see the next test");
        BlockCompressor compressor = NativeLz4.load();
        LZ4SafeDecompressor reader = LZ4Factory.safeInstance().safeDecompressor();
        Random random = new Random(11);
        for (int length : LENGTHS) {
            for (byte[] content : List.of(randomBytes(random, length), records(random, length))) {
                byte[] block = new byte[length + length / 255 + 16];
                int written = compressor.compress(content, 0, length, block, 0, block.length);
                byte[] back = new byte[length];
                assertEquals(length, reader.decompress(block, 0, written, back, 0), "length " + length);
                assertArrayEquals(content, back, "length " + length);
            }
        }
        byte[] repetitive = records(random, Chunker.MAX);
        byte[] block = new byte[Chunker.MAX + Chunker.MAX / 255 + 16];
        assertTrue(compressor.compress(repetitive, 0, repetitive.length, block, 0, block.length) < Chunker.MAX / 2,
                "compresses at all");
    }

    @Test
    void theLibraryIsLoadedFromAPrivateCopyThatIsGoneOnceLoaded() throws Exception {
        assumeTrue(NativeLz4.nativeAccessAllowed(), "JDK 24+ without native access");
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        List<Path> before = unpackedByLz4Java(tmp);
        NativeLz4.load();
        List<String> mapped = mappings();
        assertTrue(!mapped.isEmpty(), "the library is mapped");
        String mapping = mapped.get(0);
        Path library = Path.of(mapping.substring(mapping.indexOf('/'), mapping.lastIndexOf(" (deleted)")));
        assertTrue(library.getParent().getFileName().toString().startsWith("stasis-lz4-"), mapping);
        assertTrue(mapped.stream().allMatch(line -> line.contains(library + " (deleted)")), "one copy: " + mapped);
        assertFalse(Files.exists(library.getParent(), LinkOption.NOFOLLOW_LINKS), "its directory is removed");
        // The copy as it was made, through the mapping: private to this user.
        Path mappedFile = Path.of("/proc/self/map_files", mapping.substring(0, mapping.indexOf(' ')));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(mappedFile)));
        assertEquals(before, unpackedByLz4Java(tmp), "lz4-java unpacked nothing of its own");

        BlockCompressor again = NativeLz4.load();
        byte[] block = new byte[64];
        assertTrue(again.compress(new byte[32], 0, 32, block, 0, block.length) > 0);
        // The loader still has its jar open: a class the compressor never needed still loads from it.
        ClassLoader loader = PrivateLibrary.withNativeLibrary("lz4", "lz4-java", "unused once loaded");
        Class<?> unused = Class.forName("net.jpountz.xxhash.XXHashFactory", true, loader);
        assertEquals(loader, unused.getClassLoader());
    }

    /** The lines of this process's memory map that map an lz4-java library. */
    private static List<String> mappings() throws IOException {
        try (Stream<String> maps = Files.lines(Path.of("/proc/self/maps"), StandardCharsets.ISO_8859_1)) {
            return maps.filter(line -> line.contains("/" + System.mapLibraryName("lz4-java"))).toList();
        }
    }

    private static List<Path> unpackedByLz4Java(Path tmp) throws IOException {
        try (Stream<Path> files = Files.list(tmp)) {
            return files.filter(f -> f.getFileName().toString().startsWith("liblz4-java-")).sorted().toList();
        }
    }

    private static byte[] randomBytes(Random random, int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    private static byte[] records(Random random, int length) {
        StringBuilder text = new StringBuilder();
        while (text.length() < length) {
            text.append("acct-").append(random.nextInt(1000)).append("|owner-").append(random.nextInt(50)).append(';');
        }
        return text.substring(0, length).getBytes(StandardCharsets.US_ASCII);
    }
}
