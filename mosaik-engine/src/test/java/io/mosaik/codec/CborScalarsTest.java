package io.mosaik.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.dataformat.cbor.CBORMapper;

/** The default codec's scalar shortcut writes Jackson's very bytes and reads only what Jackson would. */
class CborScalarsTest {

    private final ObjectMapper jackson = CBORMapper.builder().build();
    private final JacksonCodec codec = JacksonCodec.cbor();

    private List<Object> samples() {
        List<Object> values = new ArrayList<>();
        long[] edges = {0, 1, 23, 24, 255, 256, 65_535, 65_536, 0xffff_ffffL, 0x1_0000_0000L, Long.MAX_VALUE,
            Long.MIN_VALUE, Integer.MAX_VALUE, Integer.MIN_VALUE};
        for (long edge : edges) {
            for (long delta = -1; delta <= 1; delta++) {
                values.add(edge + delta);
                values.add(-(edge + delta));
            }
        }
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < 2_000; i++) {
            long value = random.nextLong() >> random.nextInt(64);
            values.add(value);
            values.add((int) value);
            values.add((short) value);
            values.add((byte) value);
        }
        values.add(true);
        values.add(false);
        for (int length = 0; length <= CborScalars.MAX_TEXT; length += length < 300 ? 1 : 97) {
            values.add("a".repeat(length));
        }
        values.add("b".repeat(CborScalars.MAX_TEXT));
        for (int length : new int[] {0, 1, 23, 24, 255, 256, 65_535, 65_536, 100_000}) {
            byte[] bytes = new byte[length];
            random.nextBytes(bytes);
            values.add(bytes);
        }
        values.add("tab\tand\u0000control");
        return values;
    }

    @Test
    void writesExactlyWhatJacksonWrites() {
        for (Object value : samples()) {
            byte[] fast = CborScalars.encode(value);
            assertThat(fast).as("the shortcut takes %s", value.getClass().getSimpleName()).isNotNull();
            assertThat(HexFormat.of().formatHex(fast)).as("%s %s", value.getClass().getSimpleName(), value)
                    .isEqualTo(HexFormat.of().formatHex(jackson.writeValueAsBytes(value)));
        }
    }

    @Test
    void readsBackWhatJacksonReads() {
        for (Object value : samples()) {
            byte[] bytes = jackson.writeValueAsBytes(value);
            Object fast = CborScalars.decode(bytes, value.getClass());
            assertThat(fast).as("the shortcut reads %s", value.getClass().getSimpleName()).isNotNull();
            if (value instanceof byte[] array) {
                assertThat((byte[]) fast).isEqualTo(array);
            } else {
                assertThat(fast).isEqualTo(value).isEqualTo(jackson.readValue(bytes, value.getClass()));
            }
        }
    }

    @Test
    void leavesToJacksonWhatItDoesNotReadItself() {
        assertThat(CborScalars.decode(HexFormat.of().parseHex("1a00000001"), Long.class))
                .as("a longer form than needed").isNull();
        assertThat(CborScalars.decode(HexFormat.of().parseHex("1b8000000000000000"), Long.class))
                .as("beyond a long").isNull();
        assertThat(CborScalars.decode(HexFormat.of().parseHex("1a80000000"), Integer.class))
                .as("beyond an int").isNull();
        assertThat(CborScalars.decode(HexFormat.of().parseHex("0101"), Long.class)).as("trailing bytes").isNull();
        assertThat(CborScalars.decode(HexFormat.of().parseHex("fb3ff0000000000000"), Long.class))
                .as("a double").isNull();
        assertThat(CborScalars.decode(HexFormat.of().parseHex("62c3a9"), String.class)).as("not ASCII").isNull();
        assertThat(CborScalars.decode(HexFormat.of().parseHex("7f616161ff"), String.class))
                .as("an indefinite length").isNull();
        assertThat(CborScalars.decode(HexFormat.of().parseHex("6361"), String.class)).as("cut short").isNull();
        assertThat(CborScalars.decode(new byte[0], Long.class)).isNull();
        assertThat(CborScalars.encode("é")).as("non-ASCII text is Jackson's to write").isNull();
        String chunked = "a".repeat(100_000);
        assertThat(CborScalars.encode(chunked)).as("long text is Jackson's to write (in chunks)").isNull();
        assertThat(codec.decode(codec.encode(chunked), String.class)).isEqualTo(chunked);
        // and the codec still gives Jackson's answers for them
        assertThat(codec.decode(HexFormat.of().parseHex("1a00000001"), Long.class)).isEqualTo(1L);
        assertThat(codec.decode(HexFormat.of().parseHex("62c3a9"), String.class)).isEqualTo("é");
        assertThat(codec.decode(codec.encode("é€😀"), String.class)).isEqualTo("é€😀");
        assertThatThrownBy(() -> codec.decode(HexFormat.of().parseHex("1a80000000"), Integer.class))
                .isInstanceOf(CodecException.class);
        assertThatThrownBy(() -> codec.decode(new byte[0], Long.class)).isInstanceOf(CodecException.class);
    }
}
