package io.stasis.crac.image;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The SHA-256 digests a manifest names, computed on every core. One pages file holds nearly all of
 * an image, so from format 4 a file's digest is the SHA-256 of the SHA-256s of its consecutive
 * {@value #PIECE_MIB} MiB pieces (one piece for a smaller file), and the pieces are hashed in
 * parallel; in format 3 it is the SHA-256 of the whole file. Both bind the file's bytes the same:
 * its size and the piece size are fixed, so a different file has a different list of pieces.
 */
final class FileDigests {

    static final int PIECE_MIB = 32;
    static final long PIECE_BYTES = (long) PIECE_MIB << 20;
    /** The first format whose files are digested by pieces. */
    static final int PIECES_FROM_FORMAT = 4;
    private static final int BUFFER_BYTES = 1 << 20;

    private record Piece(int file, Path path, long offset, long length) {
    }

    private FileDigests() {
    }

    /** The digest of each of {@code files}, in order, as a manifest of {@code format} names it. */
    static List<String> of(List<Path> files, List<Long> sizes, int format) throws IOException {
        long pieceBytes = format >= PIECES_FROM_FORMAT ? PIECE_BYTES : Long.MAX_VALUE;
        List<Piece> pieces = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            long size = sizes.get(i);
            long offset = 0;
            do {
                long length = Math.min(pieceBytes, size - offset);
                pieces.add(new Piece(i, files.get(i), offset, length));
                offset += length;
            } while (offset < size);
        }
        byte[][] pieceDigests = new byte[pieces.size()][];
        try {
            IntStream.range(0, pieces.size()).parallel().forEach(k -> pieceDigests[k] = digest(pieces.get(k)));
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        List<String> digests = new ArrayList<>();
        for (int i = 0, k = 0; i < files.size(); i++) {
            if (pieceBytes == Long.MAX_VALUE) {
                digests.add(HexFormat.of().formatHex(pieceDigests[k++]));
                continue;
            }
            MessageDigest tree = HostFacts.sha256();
            for (; k < pieces.size() && pieces.get(k).file() == i; k++) {
                tree.update(pieceDigests[k]);
            }
            digests.add(HexFormat.of().formatHex(tree.digest()));
        }
        return digests;
    }

    /** The SHA-256 of each whole file of {@code files}, in order, on every core. */
    static List<String> ofWholeFiles(List<Path> files) throws IOException {
        List<Long> sizes = new ArrayList<>();
        for (Path file : files) {
            sizes.add(Files.size(file));
        }
        return of(files, sizes, PIECES_FROM_FORMAT - 1);
    }

    private static byte[] digest(Piece piece) {
        MessageDigest digest = HostFacts.sha256();
        ByteBuffer buffer = ByteBuffer.allocateDirect((int) Math.min(BUFFER_BYTES, Math.max(1, piece.length())));
        try (FileChannel channel = FileChannel.open(piece.path(), StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            long position = piece.offset();
            long end = piece.offset() + piece.length();
            while (position < end) {
                buffer.clear().limit((int) Math.min(buffer.capacity(), end - position));
                int read = channel.read(buffer, position);
                if (read < 0) {
                    throw new IOException(piece.path().getFileName() + " became shorter while it was checked");
                }
                position += read;
                digest.update(buffer.flip());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return digest.digest();
    }
}
