package io.mosaik.primitives;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Objects;
import org.bouncycastle.crypto.digests.Blake3Digest;

/**
 * A 32-byte value, normally a BLAKE3 hash: the shape of every id in mosaik (network ids, tags, and
 * later stream, group and store ids).
 *
 * <p>Construction follows the rules of the original (spec §1.1), because they define identity: a string
 * of exactly 64 hex characters is read as the 32 bytes it spells; any other string is hashed. Ordering
 * and equality are lexicographic on the bytes. The text form is 64 lowercase hex characters.
 */
public final class Digest extends Bytes32<Digest> {

    /** The length of every digest, in bytes. */
    public static final int LENGTH = 32;

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Digest ZERO = new Digest(new byte[LENGTH]);

    private Digest(byte[] bytes) {
        super(bytes);
    }

    /**
     * The digest of a string: the bytes it spells if it is exactly 64 hex characters (either case),
     * otherwise the BLAKE3 hash of its UTF-8 encoding.
     *
     * @param text any string
     * @return the digest
     */
    public static Digest of(String text) {
        Objects.requireNonNull(text, "text");
        if (isHex64(text)) {
            return new Digest(HEX.parseHex(text.toLowerCase()));
        }
        return hash(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The digest of a byte sequence, with the original's quirk: bytes that are 64 ASCII hex characters
     * are decoded; anything else is hashed.
     *
     * @param data any bytes
     * @return the digest
     */
    public static Digest of(byte[] data) {
        Objects.requireNonNull(data, "data");
        if (data.length == 2 * LENGTH) {
            String ascii = new String(data, StandardCharsets.ISO_8859_1);
            if (isHex64(ascii)) {
                return new Digest(HEX.parseHex(ascii.toLowerCase()));
            }
        }
        return hash(data);
    }

    /** The BLAKE3 hash of {@code data} (no hex decoding attempt). */
    public static Digest hash(byte[] data) {
        Blake3Digest blake3 = new Blake3Digest(LENGTH * 8);
        blake3.update(data, 0, data.length);
        byte[] out = new byte[LENGTH];
        blake3.doFinal(out, 0);
        return new Digest(out);
    }

    /** The BLAKE3 hash of the parts concatenated. */
    public static Digest fromParts(byte[]... parts) {
        Blake3Digest blake3 = new Blake3Digest(LENGTH * 8);
        for (byte[] part : parts) {
            blake3.update(part, 0, part.length);
        }
        byte[] out = new byte[LENGTH];
        blake3.doFinal(out, 0);
        return new Digest(out);
    }

    /**
     * The digest made of exactly these 32 bytes.
     *
     * @param bytes 32 bytes (copied)
     * @return the digest
     * @throws IllegalArgumentException if the array is not 32 bytes long
     */
    public static Digest fromBytes(byte[] bytes) {
        if (bytes.length != LENGTH) {
            throw new IllegalArgumentException("a digest is 32 bytes, got " + bytes.length);
        }
        return new Digest(bytes.clone());
    }

    /**
     * Parses the 64-hex-character text form.
     *
     * @param hex 64 hex characters
     * @return the digest
     * @throws IllegalArgumentException if {@code hex} is not 64 hex characters
     */
    public static Digest parseHex(String hex) {
        if (!isHex64(hex)) {
            throw new IllegalArgumentException("expected 64 hex characters, got '" + abbreviate(hex) + "'");
        }
        return new Digest(HEX.parseHex(hex.toLowerCase()));
    }

    /** The digest of 32 zero bytes. */
    public static Digest zero() {
        return ZERO;
    }

    /** A digest of 32 random bytes from a secure random source. */
    public static Digest random() {
        byte[] bytes = new byte[LENGTH];
        RANDOM.nextBytes(bytes);
        return new Digest(bytes);
    }

    /** The little-endian bytes of {@code value} at the end of 32 zero bytes (no hashing). */
    public static Digest fromLong(long value) {
        byte[] bytes = new byte[LENGTH];
        for (int i = 0; i < 8; i++) {
            bytes[LENGTH - 8 + i] = (byte) (value >>> (8 * i));
        }
        return new Digest(bytes);
    }

    /** BLAKE3 of these 32 bytes followed by {@code info}. */
    public Digest derive(byte[] info) {
        return fromParts(bytes, info);
    }

    /** BLAKE3 of these 32 bytes followed by the UTF-8 bytes of {@code info}. */
    public Digest derive(String info) {
        return derive(info.getBytes(StandardCharsets.UTF_8));
    }

    /** BLAKE3 of these 32 bytes followed by the other digest's 32 bytes. */
    public Digest derive(Digest info) {
        return derive(info.bytes);
    }

    /** BLAKE3 of these 32 bytes. */
    public Digest hashed() {
        return hash(bytes);
    }

    static boolean isHex64(String text) {
        if (text.length() != 2 * LENGTH) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            if (Character.digit(text.charAt(i), 16) < 0) {
                return false;
            }
        }
        return true;
    }

    static String abbreviate(String text) {
        return text.length() <= 16 ? text : text.substring(0, 16) + "…";
    }
}
