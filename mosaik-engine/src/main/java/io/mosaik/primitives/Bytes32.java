package io.mosaik.primitives;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The 32 bytes behind a {@link Digest} or a {@link PeerId}: copies out, hex text, unsigned
 * lexicographic order. Values of different subclasses are never equal, even with the same bytes.
 *
 * @param <T> the concrete type, for {@link Comparable}
 */
abstract sealed class Bytes32<T extends Bytes32<T>> implements Comparable<T> permits Digest, PeerId {

    static final HexFormat HEX = HexFormat.of();
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    /** Never changed after construction, never handed out. */
    final byte[] bytes;

    Bytes32(byte[] bytes) {
        this.bytes = bytes;
    }

    /** A copy of the 32 bytes. */
    public byte[] toBytes() {
        return bytes.clone();
    }

    /**
     * The first 8 bytes, big-endian: a 64-bit slice of the value, for compact sets of hashes (finding
     * another value with the same slice takes about 2⁶⁴ tries).
     */
    public long fingerprint() {
        return (long) LONGS.get(bytes, 0);
    }

    /** The 64-character lowercase hex form. */
    public String toHex() {
        return HEX.formatHex(bytes);
    }

    /** The first 5 bytes in hex (10 characters), for logs. */
    public String toShortString() {
        return HEX.formatHex(bytes, 0, 5);
    }

    @Override
    public int compareTo(T other) {
        return Arrays.compareUnsigned(bytes, other.bytes);
    }

    @Override
    public boolean equals(Object other) {
        return other != null && other.getClass() == getClass() && Arrays.equals(bytes, ((Bytes32<?>) other).bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    /** The 64-character lowercase hex form. */
    @Override
    public String toString() {
        return toHex();
    }
}
