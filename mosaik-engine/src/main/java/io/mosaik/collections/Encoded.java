package io.mosaik.collections;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * Encoded bytes of a key or an element, compared as unsigned bytes: the canonical order of every
 * collection (the same on every replica, whatever the element type's own ordering or hash).
 */
final class Encoded implements Comparable<Encoded> {

    private final byte[] bytes;
    private final int hash;

    Encoded(byte[] bytes) {
        this.bytes = bytes;
        this.hash = Arrays.hashCode(bytes);
    }

    byte[] bytes() {
        return bytes;
    }

    @Override
    public int compareTo(Encoded other) {
        return Arrays.compareUnsigned(bytes, other.bytes);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Encoded encoded && encoded.hash == hash && Arrays.equals(encoded.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return HexFormat.of().formatHex(bytes, 0, Math.min(bytes.length, 16)) + (bytes.length > 16 ? "…" : "");
    }
}
