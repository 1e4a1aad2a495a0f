package io.mosaik.discovery.gossip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mosaik.discovery.gossip.GossipMessage.Announcement;
import io.mosaik.network.PeerAddress;
import io.mosaik.primitives.Digest;
import io.mosaik.primitives.SecretKey;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class GossipCodecTest {

    private static PeerAddress address(int port) {
        return new PeerAddress(SecretKey.random().peerId(), "127.0.0.1", port);
    }

    private static final List<GossipMessage> ALL = List.of(
            new GossipMessage.Join(address(1)),
            new GossipMessage.ForwardJoin(address(2), 6),
            new GossipMessage.Neighbor(address(3), true),
            new GossipMessage.NeighborReply(false),
            new GossipMessage.Disconnect(true),
            new GossipMessage.Shuffle(address(4), 5, List.of(address(5), address(6))),
            new GossipMessage.ShuffleReply(List.of(address(7))),
            new GossipMessage.Gossip(Digest.of("m"), 3, new byte[] {1, 2, 3}),
            new GossipMessage.Gossip(Digest.of("n"), address(8).peerId(), 4, new byte[] {4}),
            new GossipMessage.IHave(List.of(new Announcement(Digest.of("a"), 1), new Announcement(Digest.of("b"), 9))),
            new GossipMessage.IHave(List.of(new Announcement(Digest.of("c"), 2)), true),
            new GossipMessage.Graft(Digest.of("g")),
            new GossipMessage.Graft(GossipCore.LINK_ONLY, address(9).peerId()),
            new GossipMessage.Prune(),
            new GossipMessage.Prune(address(10).peerId()));

    @Test
    void everyMessageSurvivesTheRoundTrip() {
        for (GossipMessage message : ALL) {
            GossipMessage decoded = GossipCodec.decode(GossipCodec.encode(message));
            if (message instanceof GossipMessage.Gossip gossip) {
                GossipMessage.Gossip back = (GossipMessage.Gossip) decoded;
                assertThat(back.id()).isEqualTo(gossip.id());
                assertThat(back.origin()).isEqualTo(gossip.origin());
                assertThat(back.round()).isEqualTo(gossip.round());
                assertThat(back.payload()).isEqualTo(gossip.payload());
            } else {
                assertThat(decoded).isEqualTo(message);
            }
        }
    }

    @Test
    void truncatedExtendedAndUnknownMessagesAreRefused() {
        for (GossipMessage message : ALL) {
            byte[] bytes = GossipCodec.encode(message);
            for (int length = 0; length < bytes.length; length++) {
                byte[] truncated = Arrays.copyOf(bytes, length);
                assertThatThrownBy(() -> GossipCodec.decode(truncated)).as("%s cut at %d", message, length)
                        .isInstanceOf(GossipCodec.MalformedGossipException.class);
            }
            byte[] extended = Arrays.copyOf(bytes, bytes.length + 1);
            assertThatThrownBy(() -> GossipCodec.decode(extended))
                    .isInstanceOf(GossipCodec.MalformedGossipException.class).hasMessageContaining("after");
        }
        assertThatThrownBy(() -> GossipCodec.decode(new byte[] {99}))
                .isInstanceOf(GossipCodec.MalformedGossipException.class).hasMessageContaining("unknown");
        assertThatThrownBy(() -> GossipCodec.decode(new byte[] {4, 2}))
                .isInstanceOf(GossipCodec.MalformedGossipException.class).hasMessageContaining("boolean");
    }

    @Test
    void oversizedCountsAndPayloadsAreRefusedBeforeAllocating() {
        byte[] ihave = {9, (byte) 0xFF, (byte) 0xFF};
        assertThatThrownBy(() -> GossipCodec.decode(ihave)).hasMessageContaining("at most");
        byte[] gossip = new byte[1 + 32 + 1 + 2 + 4];
        gossip[0] = 8;
        gossip[36] = 0x7F; // a payload length of about 2 GB (no origin)
        assertThatThrownBy(() -> GossipCodec.decode(gossip)).hasMessageContaining("payload");
        assertThatThrownBy(() -> GossipCodec.encode(new GossipMessage.Gossip(Digest.of("x"), 1,
                new byte[GossipCodec.MAX_PAYLOAD + 1]))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void randomBytesNeverEscapeAsAnythingButMalformed() {
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < 20_000; i++) {
            byte[] bytes = new byte[random.nextInt(0, 120)];
            random.nextBytes(bytes);
            if (bytes.length > 0) {
                bytes[0] = (byte) random.nextInt(0, 13);
            }
            try {
                GossipCodec.decode(bytes);
            } catch (GossipCodec.MalformedGossipException expected) {
                // fine: anything else fails the test
            }
        }
    }
}
