package io.stasis.agent.internal.store;

import io.stasis.agent.internal.Log;
import io.stasis.agent.internal.PrivateLibrary;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.InvocationTargetException;
import java.util.Arrays;
import java.util.Locale;
import net.jpountz.lz4.LZ4Factory;

/**
 * LZ4 compression through lz4-java's JNI binding, about three times the speed of its pure-Java
 * compressor. Only writes use it: reads decompress in pure Java, so nothing native is loaded before
 * the first checkpoint is written, and the checking decompressor stays the one that reads.
 *
 * <p>lz4-java travels unrelocated as a nested jar ({@code META-INF/stasis/lz4/}) for a
 * {@link PrivateLibrary private class loader}: its native methods are bound by the names of its
 * own classes, which the agent's relocated copy does not have. The loader answers for its shared
 * library from a private directory, so lz4-java does not unpack it into the temporary directory,
 * and the directory is removed once the library is loaded.
 * Anything that stops the binding from loading, or a block it writes that does not read back,
 * leaves compression to the pure-Java compressor.
 */
final class NativeLz4 {

    /** Spelt in parts: the agent jar's build relocates every whole mention of lz4-java's package. */
    private static final String PACKAGE = String.join(".", "net", "jpountz", "lz4") + ".";
    /** The nested jars' name, {@code META-INF/stasis/lz4/}. */
    private static final String LIBRARY = "lz4";
    private static final String LIBRARY_DIR = String.join("/", "net", "jpountz", "util", "linux") + "/";

    private NativeLz4() {
    }

    /** The native compressor where it loads and is allowed to, else the pure-Java one. */
    static BlockCompressor orPureJava() {
        if (!nativeAccessAllowed()) {
            return BlockCompressor.pureJava();
        }
        try {
            return load();
        } catch (IOException | ReflectiveOperationException | LinkageError | RuntimeException e) {
            Log.info("LZ4 chunks are compressed in pure Java: the native compressor does not load (" + Log.describe(e)
                    + ")");
            return BlockCompressor.pureJava();
        }
    }

    /**
     * From JDK 24 on, the JVM warns on standard error when a class loads a native library without
     * {@code --enable-native-access}; the agent prints no JVM warning, so it loads none then.
     */
    static boolean nativeAccessAllowed() {
        if (Runtime.version().feature() < 24) {
            return true;
        }
        try {
            return (boolean) Module.class.getMethod("isNativeAccessEnabled").invoke(NativeLz4.class.getModule());
        } catch (ReflectiveOperationException e) {
            return false;
        }
    }

    /**
     * The native compressor, checked against the pure-Java decompressor on one block. The private
     * copies are removed whatever happens: a JVM killed later leaves nothing in the temporary
     * directory, and the loader keeps what it needs open.
     */
    static BlockCompressor load() throws IOException, ReflectiveOperationException {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
            throw new IOException("no native library for " + System.getProperty("os.name"));
        }
        try {
            ClassLoader loader = PrivateLibrary.withNativeLibrary(LIBRARY, "lz4-java",
                    LIBRARY_DIR + System.getProperty("os.arch") + "/" + System.mapLibraryName("lz4-java"));
            BlockCompressor blocks = compressor(loader);
            checkReadsBack(blocks);
            return blocks;
        } finally {
            PrivateLibrary.removeCopies(LIBRARY);
        }
    }

    private static BlockCompressor compressor(ClassLoader loader) throws ReflectiveOperationException {
        Class<?> factoryType = Class.forName(PACKAGE + "LZ4Factory", true, loader);
        Object compressor;
        try {
            Object factory = factoryType.getMethod("nativeInstance").invoke(null);
            compressor = factoryType.getMethod("fastCompressor").invoke(factory);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof LinkageError failed) {
                throw failed;
            }
            throw e;
        }
        MethodHandle compress = MethodHandles.publicLookup()
                .findVirtual(Class.forName(PACKAGE + "LZ4Compressor", false, loader), "compress",
                        MethodType.methodType(int.class, byte[].class, int.class, int.class, byte[].class, int.class,
                                int.class))
                .bindTo(compressor);
        return (src, srcOff, srcLen, dest, destOff, maxDestLen) -> {
            try {
                return (int) compress.invokeExact(src, srcOff, srcLen, dest, destOff, maxDestLen);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable e) {
                throw new IllegalStateException(e);
            }
        };
    }

    private static void checkReadsBack(BlockCompressor blocks) throws IOException {
        byte[] sample = new byte[4096];
        for (int i = 0; i < sample.length; i++) {
            sample[i] = (byte) (i % 251 < 64 ? i * 31 : i % 7);
        }
        byte[] block = new byte[sample.length + sample.length / 255 + 16];
        int length = blocks.compress(sample, 0, sample.length, block, 0, block.length);
        byte[] back = new byte[sample.length];
        LZ4Factory.safeInstance().safeDecompressor().decompress(block, 0, length, back, 0);
        if (!Arrays.equals(sample, back)) {
            throw new IOException("a block it wrote did not read back");
        }
    }
}
