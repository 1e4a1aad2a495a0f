package io.mosaik.codec;

import java.util.Objects;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.ObjectReader;
import tools.jackson.dataformat.cbor.CBORFactory;
import tools.jackson.dataformat.cbor.CBORMapper;

/**
 * A {@link Codec} backed by a Jackson 3 {@link ObjectMapper}; {@link #cbor()} is the default, a
 * compact binary format that any record or POJO Jackson handles can use.
 */
public final class JacksonCodec implements Codec {

    private final ObjectMapper mapper;
    /** Whether {@link CborScalars} may take single scalars (only over the default CBOR mapper). */
    private final boolean scalars;
    /** The shortcut for flat records (only over the default CBOR mapper), or {@code null}. */
    private final CborRecords records;
    /** A reader per target type, made once: {@code readValue(bytes, type)} looks the type up on every call. */
    private final ClassValue<ObjectReader> readers = new ClassValue<>() {
        @Override
        protected ObjectReader computeValue(Class<?> type) {
            return mapper.readerFor(type);
        }
    };

    /**
     * Wraps a mapper.
     *
     * @param mapper the mapper; binary formats (CBOR) are smaller and faster than JSON on the wire
     */
    public JacksonCodec(ObjectMapper mapper) {
        this(mapper, false);
    }

    private JacksonCodec(ObjectMapper mapper, boolean scalars) {
        this.mapper = Objects.requireNonNull(mapper, "mapper");
        this.scalars = scalars;
        this.records = scalars ? new CborRecords(mapper) : null;
    }

    /**
     * The default codec: CBOR with Jackson's defaults, except for a buffer pool that threads do not
     * contend for (see {@code StripedBufferPool}) and records built through a prepared method handle (see
     * {@code FastCreators}). Single scalar values (numbers up to a
     * {@code Long}, booleans, ASCII strings, byte arrays), and records made only of such values and
     * floating-point numbers that Jackson treats plainly (no Jackson annotations, see {@code CborRecords}),
     * skip Jackson's machinery and are written and read directly, to the very bytes Jackson produces.
     */
    public static JacksonCodec cbor() {
        return new JacksonCodec(CBORMapper.builder(CBORFactory.builder().recyclerPool(new StripedBufferPool()).build())
                .addModule(new FastCreators()).build(), true);
    }

    /** Whether values of this type skip Jackson's machinery (for tests). */
    boolean takesShortcut(Class<?> type) {
        return records != null && records.takes(type);
    }

    /** The mapper in use. */
    public ObjectMapper mapper() {
        return mapper;
    }

    @Override
    public byte[] encode(Object value) {
        Objects.requireNonNull(value, "value");
        if (scalars) {
            byte[] fast = value instanceof Record ? records.encode(value) : CborScalars.encode(value);
            if (fast != null) {
                return fast;
            }
        }
        try {
            return mapper.writeValueAsBytes(value);
        } catch (JacksonException e) {
            throw new CodecException("cannot encode a " + value.getClass().getName() + ": "
                    + e.getOriginalMessage(), e);
        }
    }

    @Override
    public <T> T decode(byte[] bytes, Class<T> type) {
        if (scalars) {
            Object fast = Record.class.isAssignableFrom(type) ? records.decode(bytes, type) : CborScalars.decode(bytes, type);
            if (fast != null) {
                return type.cast(fast);
            }
        }
        try {
            T value = readers.get(type).readValue(bytes);
            if (value == null) {
                throw new CodecException("decoded null where a " + type.getName() + " was expected", null);
            }
            return value;
        } catch (JacksonException e) {
            throw new CodecException("cannot decode " + bytes.length + " bytes as a " + type.getName()
                    + ": " + e.getOriginalMessage(), e);
        }
    }
}
