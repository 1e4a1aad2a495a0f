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
}
