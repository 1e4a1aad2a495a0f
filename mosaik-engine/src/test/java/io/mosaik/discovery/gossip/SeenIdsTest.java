package io.mosaik.discovery.gossip;

import static org.assertj.core.api.Assertions.assertThat;

import io.mosaik.primitives.Digest;
import java.nio.ByteBuffer;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The time-bounded set of message ids a gossip core dedups with. */
class SeenIdsTest {

    /** A message id: the hash of its payload. */
    private static Digest id(int i) {
        return Digest.hash(ByteBuffer.allocate(4).putInt(i).array());
    }

    @Test
    void anIdIsSeenForItsLifetimeAndForgottenAfter() {
        SeenIds seen = new SeenIds(60_000, 1_000);
        seen.add(id(1), 0);
        seen.add(id(2), 30_000);
        assertThat(seen.contains(id(1))).isTrue();
        assertThat(seen.contains(id(3))).isFalse();

        seen.expire(59_999);
        assertThat(seen.contains(id(1))).isTrue();
        seen.expire(60_000);
        assertThat(seen.contains(id(1))).isFalse();
        assertThat(seen.contains(id(2))).isTrue();
        assertThat(seen.size()).isEqualTo(1);
    }

    @Test
    void thousandsOfIdsInABurstAreAllSeen() {
        SeenIds seen = new SeenIds(60_000, 100_000);
        IntStream.range(0, 20_000).forEach(i -> seen.add(id(i), i / 100));
        assertThat(IntStream.range(0, 20_000)).allMatch(i -> seen.contains(id(i)));
        assertThat(IntStream.range(20_000, 40_000)).noneMatch(i -> seen.contains(id(i)));
        seen.expire(200_000);
        assertThat(seen.size()).isZero();
        assertThat(seen.contains(id(5))).isFalse();
    }

    @Test
    void atTheLimitTheOlderHalfGoes() {
        SeenIds seen = new SeenIds(60_000, 100);
        IntStream.range(0, 100).forEach(i -> seen.add(id(i), i * 10L));
        seen.add(id(100), 1_000);
        assertThat(seen.size()).isLessThanOrEqualTo(100);
        assertThat(seen.contains(id(100))).isTrue();
        assertThat(seen.contains(id(99))).isTrue();
        assertThat(seen.contains(id(0))).isFalse(); // the oldest
    }
}
