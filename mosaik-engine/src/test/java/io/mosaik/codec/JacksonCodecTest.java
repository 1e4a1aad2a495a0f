package io.mosaik.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class JacksonCodecTest {

    record Order(String id, BigDecimal price, Instant placedAt, List<String> tags) {
    }

    private record Hidden(int n, String name) {
    }

    record Positive(long value) {
        Positive {
            if (value <= 0) {
                throw new IllegalArgumentException("value must be positive, got " + value);
            }
        }
    }

    private final Codec codec = JacksonCodec.cbor();

    @Test
    void roundTripsRecordsInCbor() {
        Order order = new Order("o-1", new BigDecimal("12.50"), Instant.parse("2026-01-02T03:04:05Z"), List.of("a"));
        byte[] bytes = codec.encode(order);
        assertThat(codec.decode(bytes, Order.class)).isEqualTo(order);
        // CBOR, not JSON text
        assertThat(bytes[0] & 0xe0).isEqualTo(0xa0);
    }

    @Test
    void garbageIsACodecExceptionNamingTheType() {
        assertThatThrownBy(() -> codec.decode(new byte[] {(byte) 0xff, 0x01, 0x02}, Order.class))
                .isInstanceOf(CodecException.class).hasMessageContaining(Order.class.getName());
    }

    @Test
    void recordsAreBuiltThroughAPreparedHandleEvenWhenTheyAreNotPublic() throws Exception {
        assertThat(FastCreators.spreader(Hidden.class.getDeclaredConstructor(int.class, String.class)))
                .as("the fast path reaches a private record").isNotNull();
        Hidden hidden = new Hidden(7, "seven");
        assertThat(codec.decode(codec.encode(hidden), Hidden.class)).isEqualTo(hidden);
        assertThat(codec.decode(codec.encode(new Hidden(8, null)), Hidden.class)).isEqualTo(new Hidden(8, null));
    }

    @Test
    void aConstructorThatRefusesItsArgumentsIsReportedAsJacksonWouldReportIt() {
        byte[] zero = codec.encode(java.util.Map.of("value", 0));
        assertThatThrownBy(() -> codec.decode(zero, Positive.class)).isInstanceOf(CodecException.class)
                .hasMessageContaining(Positive.class.getName()).hasMessageContaining("value must be positive, got 0");
        assertThat(codec.decode(codec.encode(new Positive(3)), Positive.class)).isEqualTo(new Positive(3));
    }

    @Test
    void manyThreadsDecodingAtOnceShareTheBufferPoolSafely() throws Exception {
        Order order = new Order("o-2", new BigDecimal("1.25"), Instant.parse("2026-01-02T03:04:05Z"), List.of("b", "c"));
        byte[] bytes = codec.encode(order);
        List<Thread> threads = new java.util.ArrayList<>();
        java.util.concurrent.atomic.AtomicInteger wrong = new java.util.concurrent.atomic.AtomicInteger();
        for (int t = 0; t < 16; t++) {
            threads.add(Thread.ofVirtual().start(() -> {
                for (int i = 0; i < 2_000; i++) {
                    if (!codec.decode(bytes, Order.class).equals(order) || !java.util.Arrays.equals(codec.encode(order), bytes)) {
                        wrong.incrementAndGet();
                    }
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join(30_000);
        }
        assertThat(wrong).hasValue(0);
    }
}
