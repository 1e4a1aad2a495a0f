package io.mosaik.codec;

import java.nio.charset.StandardCharsets;

/**
 * The default codec's shortcut for single scalar values ({@code Long}, {@code Integer}, {@code Short},
 * {@code Byte}, {@code Boolean}, ASCII {@code String} up to 1,024 characters, {@code byte[]}): the bytes Jackson's CBOR mapper
 * writes for them, written and read without creating a generator or a parser. Creating those costs far
 * more than the value itself, and groups decode every command on every member.
 *
 * <p>The bytes are exactly Jackson's (CBOR's shortest forms, checked by a test against Jackson), so
 * nodes with and without the shortcut understand each other. Reading takes only the shortest forms of
 * the expected type filling the whole input; anything else (another type, a longer form, a value out of
 * range, trailing bytes, non-ASCII text) is left to Jackson, which accepts or refuses it as it always has.
 */
final class CborScalars {

    private static final int UNSIGNED = 0;
    private static final int NEGATIVE = 1;
    private static final int BYTES = 2;
    private static final int TEXT = 3;
    private static final byte FALSE = (byte) 0xf4;
    private static final byte TRUE = (byte) 0xf5;
    /** Jackson writes longer text in chunks (indefinite length): such text is left to it. */
    static final int MAX_TEXT = 1024;

    private CborScalars() {
    }

    /**
     * Encodes a scalar.
     *
     * @param value the value
     * @return its CBOR bytes, or {@code null} if it is not a scalar this class writes
     */
    static byte[] encode(Object value) {
        return switch (value) {
            case Long l -> integer(l);
            case Integer i -> integer(i);
            case Short s -> integer(s);
            case Byte b -> integer(b);
            case Boolean b -> new byte[] {b ? TRUE : FALSE};
            case String s -> ascii(s);
            case byte[] bytes -> withHead(BYTES, bytes.length, bytes);
            default -> null;
        };
    }

    /**
     * Decodes a scalar.
     *
     * @param bytes the input
     * @param type  the type expected
     * @return the value, or {@code null} if Jackson must decide
     */
    static Object decode(byte[] bytes, Class<?> type) {
        if (bytes.length == 0) {
            return null;
        }
        if (type == Long.class || type == Integer.class || type == Short.class || type == Byte.class) {
            return integerAs(bytes, type);
        }
        if (type == Boolean.class) {
            return bytes.length != 1 ? null : bytes[0] == TRUE ? Boolean.TRUE : bytes[0] == FALSE ? Boolean.FALSE : null;
        }
        if (type == String.class) {
            int at = payloadStart(bytes, TEXT);
            if (at < 0) {
                return null;
            }
            for (int i = at; i < bytes.length; i++) {
                if (bytes[i] < 0) {
                    return null; // not ASCII: Jackson checks the UTF-8
                }
            }
            return new String(bytes, at, bytes.length - at, StandardCharsets.US_ASCII);
        }
        if (type == byte[].class) {
            int at = payloadStart(bytes, BYTES);
            return at < 0 ? null : java.util.Arrays.copyOfRange(bytes, at, bytes.length);
        }
        return null;
    }

    private static byte[] integer(long value) {
        return value >= 0 ? head(UNSIGNED, value, 0) : head(NEGATIVE, -1 - value, 0);
    }

    private static byte[] ascii(String s) {
        int length = s.length();
        if (length > MAX_TEXT) {
            return null;
        }
        for (int i = 0; i < length; i++) {
            if (s.charAt(i) >= 0x80) {
                return null;
            }
        }
        byte[] out = head(TEXT, length, length);
        int at = out.length - length;
        for (int i = 0; i < length; i++) {
            out[at + i] = (byte) s.charAt(i);
        }
        return out;
    }

    private static byte[] withHead(int major, int length, byte[] payload) {
        byte[] out = head(major, length, length);
        System.arraycopy(payload, 0, out, out.length - length, length);
        return out;
    }

    /**
     * The shortest head for an argument (0 to {@link Long#MAX_VALUE}), in an array with {@code extra} bytes
     * of room after it.
     */
    private static byte[] head(int major, long argument, int extra) {
        int type = major << 5;
        if (argument < 24) {
            byte[] out = new byte[1 + extra];
            out[0] = (byte) (type | argument);
            return out;
        }
        int size = argument <= 0xff ? 1 : argument <= 0xffff ? 2 : argument <= 0xffff_ffffL ? 4 : 8;
        byte[] out = new byte[1 + size + extra];
        out[0] = (byte) (type | (size == 1 ? 24 : size == 2 ? 25 : size == 4 ? 26 : 27));
        for (int i = 0; i < size; i++) {
            out[size - i] = (byte) (argument >>> (8 * i));
        }
        return out;
    }

    /** An integer in its shortest form filling the input, within the type's range, or {@code null}. */
    private static Object integerAs(byte[] bytes, Class<?> type) {
        int major = (bytes[0] & 0xff) >>> 5;
        long argument = argument(bytes);
        if ((major != UNSIGNED && major != NEGATIVE) || argument < 0 || bytes.length != headSize(bytes)) {
            return null;
        }
        long value = major == UNSIGNED ? argument : -1 - argument;
        if (type == Long.class) {
            return value;
        }
        if (type == Integer.class) {
            return value >= Integer.MIN_VALUE && value <= Integer.MAX_VALUE ? (Object) (int) value : null;
        }
        if (type == Short.class) {
            return value >= Short.MIN_VALUE && value <= Short.MAX_VALUE ? (Object) (short) value : null;
        }
        return value >= Byte.MIN_VALUE && value <= Byte.MAX_VALUE ? (Object) (byte) value : null;
    }

    /** Where the payload of a shortest-form text or byte string filling the input begins, or -1. */
    private static int payloadStart(byte[] bytes, int major) {
        long length = argument(bytes);
        if ((bytes[0] & 0xff) >>> 5 != major || length < 0) {
            return -1;
        }
        int at = headSize(bytes);
        return bytes.length - at == length ? at : -1;
    }

    /** The bytes of the head the input starts with (its first byte and argument), or -1 if no definite one. */
    private static int headSize(byte[] bytes) {
        int info = bytes[0] & 0x1f;
        return info < 24 ? 1 : info == 24 ? 2 : info == 25 ? 3 : info == 26 ? 5 : info == 27 ? 9 : -1;
    }

    /**
     * The argument of the head the input starts with, or -1 when the head is cut short, not definite, not
     * in its shortest form (a longer form than needed is Jackson's business) or beyond a {@code long}.
     */
    private static long argument(byte[] bytes) {
        int size = headSize(bytes);
        if (size < 0 || bytes.length < size) {
            return -1;
        }
        if (size == 1) {
            return bytes[0] & 0x1f;
        }
        long value = 0;
        for (int i = 1; i < size; i++) {
            value = (value << 8) | (bytes[i] & 0xff);
        }
        long smallest = size == 2 ? 24 : size == 3 ? 0x100 : size == 5 ? 0x10000 : 0x1_0000_0000L;
        return value >= smallest ? value : -1; // a value beyond a long reads as negative
    }
}
