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
    void atTheLimitTheOlderHalfIsCountedNotTimed() {
        SeenIds seen = new SeenIds(60_000, 100);
        IntStream.range(0, 60).forEach(i -> seen.add(id(i), i)); // a burst, 50 s ago
        IntStream.range(60, 100).forEach(i -> seen.add(id(i), 50_000 + i));
        seen.add(id(100), 50_100);
        // half of the ids by count: ten of the burst stay (a cut halfway in time would drop all sixty)
        assertThat(seen.size()).isEqualTo(51);
        assertThat(IntStream.rangeClosed(50, 100)).allMatch(i -> seen.contains(id(i)));
        assertThat(IntStream.range(0, 50)).noneMatch(i -> seen.contains(id(i)));
    }
}
