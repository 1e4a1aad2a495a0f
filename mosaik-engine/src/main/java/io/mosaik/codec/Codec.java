package io.mosaik.codec;

/**
 * Turns user values (stream datums, group commands, collection entries) into bytes and back.
 *
 * <p>The default is {@link JacksonCodec#cbor()}: any record or POJO Jackson can serialize, in the
 * compact binary CBOR format. Implementations must be thread-safe and deterministic for a given
 * value where the bytes feed a hash or a comparison (compare-and-swap, ids).
 */
public interface Codec {

    /**
     * Encodes a value.
     *
     * @param value the value, not {@code null}
     * @return its bytes
     * @throws CodecException if the value cannot be encoded
     */
    byte[] encode(Object value);

    /**
     * Decodes a value of the given type.
     *
     * @param bytes the encoded bytes
     * @param type  the expected type
     * @param <T>   the type
     * @return the value
     * @throws CodecException if the bytes do not decode to that type
     */
    <T> T decode(byte[] bytes, Class<T> type);
}
