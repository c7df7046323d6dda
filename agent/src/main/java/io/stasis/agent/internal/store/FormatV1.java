package io.stasis.agent.internal.store;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Reads snapshot files of format version 1 (one file per snapshot: a header, the roots, and a
 * CRC-32C of everything before it), which stores created before content-addressed chunks still
 * hold. Every field is length-prefixed and checked, so a torn or altered file is reported as
 * corrupt rather than misread. Nothing writes this format any more.
 *
 * <pre>
 * "STASIS\r\n"  int version  long sequence  long timeMillis  UTF reason  long pauseNanos
 * int rootCount  { byte kind  UTF owner  bool hasKey  [UTF key]  int fieldCount {UTF field}  int length  bytes }
 * long crc32c
 * </pre>
 */
final class FormatV1 {

    static final int VERSION = 1;
    private static final byte[] MAGIC = "STASIS\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final int MAX_ROOT_BYTES = Integer.MAX_VALUE - 64;

    private FormatV1() {
    }

    static Snapshot read(byte[] file, String name) throws CorruptSnapshotException {
        if (file.length < MAGIC.length + Long.BYTES || !Arrays.equals(file, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new CorruptSnapshotException(name + ": not a Stasis snapshot (bad header)");
        }
        int bodyLength = file.length - Long.BYTES;
        CRC32C crc = new CRC32C();
        crc.update(file, 0, bodyLength);
        long expected = ByteBuffer.wrap(file, bodyLength, Long.BYTES).getLong();
        if (crc.getValue() != expected) {
            throw new CorruptSnapshotException(name + ": checksum mismatch (torn or altered file)");
        }
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(file, MAGIC.length, bodyLength - MAGIC.length));
            int version = in.readInt();
            if (version != VERSION) {
                throw new CorruptSnapshotException(name + ": format version " + version
                        + " is not supported by this agent (it reads version " + VERSION + ")");
            }
            long sequence = in.readLong();
            Instant time = Instant.ofEpochMilli(in.readLong());
            String reason = in.readUTF();
            long pause = in.readLong();
            int count = nonNegative(in.readInt(), name);
            List<Root> roots = new ArrayList<>(Math.min(count, 1024));
            for (int i = 0; i < count; i++) {
                int kindOrdinal = in.readUnsignedByte();
                if (kindOrdinal >= Root.Kind.values().length) {
                    throw new CorruptSnapshotException(name + ": unknown root kind " + kindOrdinal);
                }
                String owner = in.readUTF();
                String key = in.readBoolean() ? in.readUTF() : null;
                int fieldCount = nonNegative(in.readInt(), name);
                List<String> fields = new ArrayList<>(Math.min(fieldCount, 1024));
                for (int f = 0; f < fieldCount; f++) {
                    fields.add(in.readUTF());
                }
                int length = nonNegative(in.readInt(), name);
                if (length > MAX_ROOT_BYTES || length > in.available()) {
                    throw new CorruptSnapshotException(name + ": root " + owner + " claims " + length + " bytes");
                }
                byte[] data = new byte[length];
                in.readFully(data);
                roots.add(new Root(Root.Kind.values()[kindOrdinal], owner, key, fields, data));
            }
            if (in.available() != 0) {
                throw new CorruptSnapshotException(name + ": " + in.available() + " unexpected bytes after the last root");
            }
            return new Snapshot(sequence, time, reason, pause, roots);
        } catch (EOFException e) {
            throw new CorruptSnapshotException(name + ": truncated");
        } catch (CorruptSnapshotException e) {
            throw e;
        } catch (IOException e) {
            throw new CorruptSnapshotException(name + ": unreadable (" + e.getMessage() + ")");
        }
    }

    private static int nonNegative(int value, String name) throws CorruptSnapshotException {
        if (value < 0) {
            throw new CorruptSnapshotException(name + ": negative count " + value);
        }
        return value;
    }
}
