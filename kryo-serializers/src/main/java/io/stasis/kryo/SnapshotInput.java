package io.stasis.kryo;

import com.esotericsoftware.kryo.io.Input;

/**
 * An {@link Input} over a snapshot's bytes whose every length-prefixed read (strings, primitive
 * arrays, byte runs) is checked with {@link Limits#count} before anything is allocated: stock
 * Kryo allocates whatever length the bytes declare.
 */
public final class SnapshotInput extends Input {

    public SnapshotInput(byte[] bytes) {
        super(bytes);
    }

    @Override
    public String readString() {
        checkStringLength();
        return super.readString();
    }

    @Override
    public StringBuilder readStringBuilder() {
        checkStringLength();
        return super.readStringBuilder();
    }

    /** A UTF-8 string's declared character count (ASCII strings carry none and allocate as they go). */
    private void checkStringLength() {
        if (position >= limit) {
            return; // let Kryo report the underflow
        }
        int start = position;
        if (readVarIntFlag()) {
            position = start;
            int charCount = readVarIntFlag(true);
            position = start;
            if (charCount < 0 || charCount > 1) { // 0 is null, 1 is ""
                Limits.count(this, charCount - 1, 1);
            }
        } else {
            position = start;
        }
    }

    @Override
    public byte[] readBytes(int length) {
        return super.readBytes(Limits.count(this, length, 1));
    }

    @Override
    public int[] readInts(int length) {
        return super.readInts(Limits.count(this, length, Integer.BYTES));
    }

    @Override
    public int[] readInts(int length, boolean optimizePositive) {
        return super.readInts(Limits.count(this, length, 1), optimizePositive);
    }

    @Override
    public long[] readLongs(int length) {
        return super.readLongs(Limits.count(this, length, Long.BYTES));
    }

    @Override
    public long[] readLongs(int length, boolean optimizePositive) {
        return super.readLongs(Limits.count(this, length, 1), optimizePositive);
    }

    @Override
    public float[] readFloats(int length) {
        return super.readFloats(Limits.count(this, length, Float.BYTES));
    }

    @Override
    public double[] readDoubles(int length) {
        return super.readDoubles(Limits.count(this, length, Double.BYTES));
    }

    @Override
    public short[] readShorts(int length) {
        return super.readShorts(Limits.count(this, length, Short.BYTES));
    }

    @Override
    public char[] readChars(int length) {
        return super.readChars(Limits.count(this, length, Character.BYTES));
    }

    @Override
    public boolean[] readBooleans(int length) {
        return super.readBooleans(Limits.count(this, length, 1));
    }
}
