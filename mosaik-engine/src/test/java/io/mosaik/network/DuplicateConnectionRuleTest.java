package io.mosaik.network;

import static org.assertj.core.api.Assertions.assertThat;

import io.mosaik.primitives.PeerId;
import io.mosaik.primitives.SecretKey;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The rule both ends of a simultaneous dial apply, without talking, to keep one connection. */
class DuplicateConnectionRuleTest {

    private static final Duration WINDOW = Duration.ofSeconds(10);
    private final PeerId one = SecretKey.random().peerId();
    private final PeerId two = SecretKey.random().peerId();
    private final PeerId small = one.compareTo(two) < 0 ? one : two;
    private final PeerId large = small == one ? two : one;

    @Test
    void inASimultaneousDialBothEndsKeepTheConnectionTheSmallerPeerDialed() {
        Duration gap = Duration.ofMillis(5);
        // the small node sees its own dial arrive after the large node's: its own wins
        assertThat(Network.replaces(small, large, true, false, gap, WINDOW)).isTrue();
        // the large node sees the small node's dial arrive after its own: the small node's dial wins
        assertThat(Network.replaces(large, small, false, true, gap, WINDOW)).isTrue();
        // and in the other arrival order, the small node's dial stays
        assertThat(Network.replaces(small, large, false, true, gap, WINDOW)).isFalse();
        assertThat(Network.replaces(large, small, true, false, gap, WINDOW)).isFalse();
    }

    @Test
    void aRedialBySameSideOrLongAfterReplacesTheOldConnection() {
        // the same side dialed again: it must have lost the old one
        assertThat(Network.replaces(large, small, true, true, Duration.ofMillis(5), WINDOW)).isTrue();
        assertThat(Network.replaces(small, large, false, false, Duration.ofMillis(5), WINDOW)).isTrue();
        // the other side dials long after: a restarted peer is not locked out by a stale connection
        assertThat(Network.replaces(small, large, false, true, Duration.ofSeconds(30), WINDOW)).isTrue();
    }
}
