package io.mosaik.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.dataformat.cbor.CBORMapper;

/** The default codec's record shortcut writes Jackson's very bytes and reads only what Jackson would. */
class CborRecordsTest {

    record Flat(long l, int i, short s, byte b, boolean flag, double d, float f, String text, byte[] bytes) {
    }

    record Boxed(Long l, Integer i, Short s, Byte b, Boolean flag, Double d, Float f) {
    }

    record Tick(long sentNanos, byte[] pad) {
    }

    private record Hidden(int n, String name) {
    }

    record Renamed(@JsonProperty("number") int n) {
    }

    record WithGetter(int n) {
        public int getTwice() {
            return 2 * n;
        }
    }

    record Ignoring(int n, @JsonIgnore String secret) {
    }

    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME)
    interface Event {
    }

    record Typed(int n) implements Event {
    }

    record Nested(Tick tick) {
    }

    record Empty() {
    }

    record Refusing(long n) {
        Refusing {
            if (n == 7) {
                throw new IllegalArgumentException("seven is refused");
            }
        }
    }

    private final ObjectMapper jackson = CBORMapper.builder().build();
    private final JacksonCodec codec = JacksonCodec.cbor();
    private final CborRecords records = new CborRecords(codec.mapper());

    private List<Record> samples() {
        List<Record> values = new ArrayList<>();
        long[] edges = {0, 1, 23, 24, 255, 256, 65_535, 65_536, 0xffff_ffffL, 0x1_0000_0000L, Long.MAX_VALUE,
            Long.MIN_VALUE, Integer.MAX_VALUE, Integer.MIN_VALUE};
        SplittableRandom random = new SplittableRandom(42);
        for (long edge : edges) {
            for (long delta = -1; delta <= 1; delta++) {
                long l = edge + delta;
                values.add(new Flat(l, (int) l, (short) l, (byte) l, l % 2 == 0, l / 3.0, (float) l, "", new byte[0]));
                values.add(new Flat(-l, (int) -l, (short) -l, (byte) -l, false, -l, -l, "x", new byte[] {1}));
            }
        }
        for (int i = 0; i < 2_000; i++) {
            long l = random.nextLong() >> random.nextInt(64);
            byte[] bytes = new byte[random.nextInt(300)];
            random.nextBytes(bytes);
            values.add(new Flat(l, (int) l, (short) l, (byte) l, random.nextBoolean(), random.nextDouble() * l,
                    (float) (random.nextDouble() * l), "a".repeat(random.nextInt(300)),
                    bytes));
            values.add(new Boxed(l, (int) l, (short) l, (byte) l, random.nextBoolean(), (double) l, (float) l));
            values.add(new Tick(l, bytes));
            values.add(new Hidden((int) l, Long.toString(l)));
        }
        for (double d : new double[] {0.0, -0.0, Double.MIN_VALUE, Double.MAX_VALUE, Double.POSITIVE_INFINITY,
            Double.NEGATIVE_INFINITY}) {
            values.add(new Flat(1, 1, (short) 1, (byte) 1, true, d, (float) d, "b".repeat(CborScalars.MAX_TEXT),
                    new byte[70_000]));
        }
        return values;
    }

    @Test
    void writesExactlyWhatJacksonWrites() {
        for (Record value : samples()) {
            byte[] fast = records.encode(value);
            assertThat(fast).as("the shortcut takes %s", value).isNotNull();
            assertThat(HexFormat.of().formatHex(fast)).as("%s", value)
                    .isEqualTo(HexFormat.of().formatHex(jackson.writeValueAsBytes(value)));
            assertThat(codec.encode(value)).isEqualTo(fast);
        }
    }

    @Test
    void readsBackWhatJacksonReads() {
        for (Record value : samples()) {
            byte[] bytes = jackson.writeValueAsBytes(value);
            Object fast = records.decode(bytes, value.getClass());
            assertThat(fast).as("the shortcut reads %s", value).isNotNull().isInstanceOf(value.getClass());
            // the same components (arrays included) as Jackson reads: both write back the same bytes
            assertThat(jackson.writeValueAsBytes(fast))
                    .isEqualTo(jackson.writeValueAsBytes(jackson.readValue(bytes, value.getClass())))
                    .isEqualTo(bytes);
        }
    }

    @Test
    void valuesItDoesNotWriteItselfAreWrittenByJackson() {
        List<Record> values = List.of(
                new Boxed(null, 1, (short) 1, (byte) 1, true, 1.0, 1f),
                new Flat(1, 1, (short) 1, (byte) 1, true, Double.NaN, 1f, "", new byte[0]),
                new Flat(1, 1, (short) 1, (byte) 1, true, 1, Float.NaN, "", new byte[0]),
                new Flat(1, 1, (short) 1, (byte) 1, true, 1, 1f, "é€😀", new byte[0]),
                new Flat(1, 1, (short) 1, (byte) 1, true, 1, 1f, "c".repeat(CborScalars.MAX_TEXT + 1), new byte[0]),
                new Flat(1, 1, (short) 1, (byte) 1, true, 1, 1f, null, null));
        for (Record value : values) {
            assertThat(records.encode(value)).as("%s", value).isNull();
            byte[] bytes = codec.encode(value);
            assertThat(bytes).isEqualTo(jackson.writeValueAsBytes(value));
            assertThat(jackson.writeValueAsBytes(codec.decode(bytes, value.getClass()))).isEqualTo(bytes);
        }
    }

    @Test
    void typesJacksonTreatsSpeciallyAreLeftToIt() {
        List<Record> values = List.of(new Renamed(1), new WithGetter(2), new Ignoring(3, "hidden"), new Typed(4),
                new Nested(new Tick(5, new byte[] {5})), new Empty());
        for (Record value : values) {
            assertThat(codec.takesShortcut(value.getClass())).as("%s", value).isFalse();
            byte[] bytes = codec.encode(value);
            assertThat(bytes).as("%s", value).isEqualTo(jackson.writeValueAsBytes(value));
            assertThat(jackson.writeValueAsBytes(codec.decode(bytes, value.getClass()))).isEqualTo(bytes);
        }
        assertThat(codec.takesShortcut(Flat.class)).isTrue();
        assertThat(codec.takesShortcut(Hidden.class)).as("a private record").isTrue();
        assertThat(new JacksonCodec(CBORMapper.builder().build()).takesShortcut(Flat.class))
                .as("only over the default mapper, whose bytes the probe checked").isFalse();
    }

    @Test
    void inputJacksonWouldReadDifferentlyIsLeftToIt() {
        // {n: 1, name: "a"} as Jackson writes it, then variations of it
        String[] variants = {
            "bf616e01646e616d656161ff", // as written: taken
            "bf646e616d656161616e01ff", // another order: taken
            "a2616e01646e616d656161", // a definite map: taken
            "bf616e01ff", // a property missing
            "bf616e01646e616d656161617802ff", // an unknown property
            "bf616e01616e02646e616d656161ff", // a property twice
            "bf616ef6646e616d656161ff", // a null
            "bf616e1801646e616d656161ff", // a longer form than needed
            "bf616e1b0000000100000000646e616d656161ff", // beyond an int
            "bf616e6131646e616d656161ff", // a number as text
            "bf616e01646e616d6502ff", // text as a number
            "bf616e01646e616d656161ff00", // a trailing byte
            "bf616e01646e616d656161", // no break
            "bf616e01646e616d6562", // cut short
            "a3616e01646e616d656161", // a map longer than it holds
        };
        for (int i = 0; i < variants.length; i++) {
            byte[] bytes = HexFormat.of().parseHex(variants[i]);
            Object fast = records.decode(bytes, Hidden.class);
            assertThat(fast != null).as("variant %d is taken", i).isEqualTo(i < 3);
            Object expected;
            try {
                expected = jackson.readValue(bytes, Hidden.class);
            } catch (JacksonException refused) {
                assertThatThrownBy(() -> codec.decode(bytes, Hidden.class)).as("variant %d", i)
                        .isInstanceOf(CodecException.class);
                continue;
            }
            assertThat(codec.decode(bytes, Hidden.class)).as("variant %d", i).isEqualTo(expected);
            if (fast != null) {
                assertThat(fast).isEqualTo(expected);
            }
        }
    }

    @Test
    void aConstructorThatRefusesIsReportedAsJacksonReportsIt() {
        assertThat(codec.takesShortcut(Refusing.class)).isTrue();
        byte[] seven = jackson.writeValueAsBytes(new java.util.TreeMap<>(java.util.Map.of("n", 7)));
        assertThat(records.decode(seven, Refusing.class)).isNull();
        assertThatThrownBy(() -> codec.decode(seven, Refusing.class)).isInstanceOf(CodecException.class)
                .hasMessageContaining("seven is refused");
        assertThat(codec.decode(codec.encode(new Refusing(8)), Refusing.class)).isEqualTo(new Refusing(8));
    }

    @Test
    void whateverTheShortcutAcceptsJacksonReadsTheSame() {
        SplittableRandom random = new SplittableRandom(7);
        List<Record> seeds = samples().subList(0, 200);
        int accepted = 0;
        for (int round = 0; round < 20_000; round++) {
            Record seed = seeds.get(random.nextInt(seeds.size()));
            byte[] bytes = mutate(jackson.writeValueAsBytes(seed), random);
            Object fast = records.decode(bytes, seed.getClass());
            if (fast == null) {
                continue;
            }
            accepted++;
            Object theirs = jackson.readValue(bytes, seed.getClass()); // must not throw: we accepted it
            assertThat(jackson.writeValueAsBytes(fast)).as("input %s", HexFormat.of().formatHex(bytes))
                    .isEqualTo(jackson.writeValueAsBytes(theirs));
        }
        assertThat(accepted).as("some mutations keep a valid value (a changed payload byte)").isPositive();
    }

    private static byte[] mutate(byte[] bytes, SplittableRandom random) {
        byte[] out = bytes.clone();
        switch (random.nextInt(4)) {
            case 0 -> out[random.nextInt(out.length)] = (byte) random.nextInt(256);
            case 1 -> out = java.util.Arrays.copyOf(out, random.nextInt(out.length));
            case 2 -> {
                int at = random.nextInt(out.length);
                out[at] ^= (byte) (1 << random.nextInt(8));
            }
            default -> {
                byte[] longer = java.util.Arrays.copyOf(out, out.length + 1);
                longer[out.length] = (byte) random.nextInt(256);
                out = longer;
            }
        }
        return out;
    }
}
