package io.mosaik.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.mosaik.network.transport.CloseReason;
import io.mosaik.network.transport.LinkClosedException;
import io.mosaik.primitives.NetworkId;
import io.mosaik.primitives.SecretKey;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NetworkTest {

    record Ping(String text, int seq) {
    }

    private TestNodes nodes;

    @AfterEach
    void closeNodes() {
        if (nodes != null) {
            nodes.close();
        }
    }

    private static Link open(Network from, Network to, String protocol) throws Exception {
        return from.openLink(to.address(), protocol).get(30, TimeUnit.SECONDS);
    }

    /** Answers every Ping with the same Ping, seq + 1, until the link closes. */
    private static void serveEcho(Network node) {
        node.handle("test/echo", link -> {
            try {
                while (true) {
                    Ping ping = link.receive(Ping.class);
                    link.send(new Ping(ping.text(), ping.seq() + 1));
                }
            } catch (LinkClosedException closed) {
                // the other side is done
            }
        });
    }

    @ParameterizedTest
    @EnumSource(TransportKind.class)
    void twoNodesExchangeFramesBothWays(TransportKind transport) throws Exception {
        nodes = new TestNodes(transport);
        Network a = nodes.start();
        Network b = nodes.start();
        serveEcho(a);
        serveEcho(b);

        try (Link ab = open(a, b, "test/echo")) {
            // b registers the connection a dialed once it has checked a's proof, a moment after a did:
            // opening b -> a before that would dial a second connection (the dedupe rule then retires one)
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> b.connections()
                    .stream().anyMatch(connection -> connection.peer().equals(a.peerId())));
            runBothWays(a, b, ab);
        }
        // one authenticated connection carries both directions
        assertThat(a.connections()).extracting(ConnectionInfo::peer).containsExactly(b.peerId());
        assertThat(b.connections()).extracting(ConnectionInfo::peer).containsExactly(a.peerId());
    }

    private void runBothWays(Network a, Network b, Link ab) throws Exception {
        try (Link ba = open(b, a, "test/echo")) {
            for (int i = 0; i < 100; i++) {
                ab.send(new Ping("from a", i));
                assertThat(ab.receive(Ping.class)).isEqualTo(new Ping("from a", i + 1));
                ba.send(new Ping("from b", i));
                assertThat(ba.receive(Ping.class)).isEqualTo(new Ping("from b", i + 1));
            }
            assertThat(ab.peer()).isEqualTo(b.peerId());
            assertThat(ba.peer()).isEqualTo(a.peerId());
            assertThat(ab.bytesSent()).isPositive();
        }
    }

    @ParameterizedTest
    @EnumSource(TransportKind.class)
    void threeNodesConnectPairwise(TransportKind transport) throws Exception {
        nodes = new TestNodes(transport);
        List<Network> three = List.of(nodes.start(), nodes.start(), nodes.start());
        three.forEach(NetworkTest::serveEcho);
        for (Network from : three) {
            for (Network to : three) {
                if (from != to) {
                    try (Link link = open(from, to, "test/echo")) {
                        link.send(new Ping(from.peerId().toShortString(), 1));
                        assertThat(link.receive(Ping.class).seq()).isEqualTo(2);
                    }
                }
            }
        }
        for (Network node : three) {
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(node.connections()).hasSize(2).allMatch(ConnectionInfo::primary));
        }
    }

    @ParameterizedTest
    @EnumSource(TransportKind.class)
    void simultaneousDialsEndWithOneConnectionBothSidesAgreeOn(TransportKind transport) throws Exception {
        nodes = new TestNodes(transport);
        Network a = nodes.start();
        Network b = nodes.start();
        CompletableFuture<ConnectionInfo> ab = a.connect(b.address());
        CompletableFuture<ConnectionInfo> ba = b.connect(a.address());
        CompletableFuture.allOf(ab, ba).get(30, TimeUnit.SECONDS);

        // whether one dial or two happened, both ends end up agreeing on one connection
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(a.connections()).hasSize(1);
            assertThat(b.connections()).hasSize(1);
            assertThat(a.connections().getFirst().direction()).isNotEqualTo(b.connections().getFirst().direction());
        });
        serveEcho(a);
        serveEcho(b);
        for (Link link : List.of(open(a, b, "test/echo"), open(b, a, "test/echo"))) {
            try (link) {
                link.send(new Ping("over the survivor", 1));
                assertThat(link.receive(Ping.class).seq()).isEqualTo(2);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(TransportKind.class)
    void aNodeOfAnotherNetworkIsRefused(TransportKind transport) throws Exception {
        nodes = new TestNodes(transport);
        Network a = nodes.start();
        Network stranger = nodes.start(NetworkId.of("another-network"), builder -> builder);

        assertThatThrownBy(() -> stranger.connect(a.address()).get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(PeerAuthException.class)
                .satisfies(e -> assertThat(((PeerAuthException) e).reason()).isEqualTo(CloseReason.DIFFERENT_NETWORK));
        assertThat(a.connections()).isEmpty();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                counter(a, "mosaik.network.peers.rejected", "reason", "DifferentNetwork")).isEqualTo(1.0));
    }

    @ParameterizedTest
    @EnumSource(TransportKind.class)
    void dialingAPeerIdThatDoesNotAnswerAtThatAddressFails(TransportKind transport) throws Exception {
        nodes = new TestNodes(transport);
        Network a = nodes.start();
        Network b = nodes.start();
        PeerAddress impostorAddress = new PeerAddress(SecretKey.random().peerId(), a.address().host(),
                a.address().port());

        assertThatThrownBy(() -> b.connect(impostorAddress).get(30, TimeUnit.SECONDS))
                .cause().isInstanceOf(PeerAuthException.class)
                .satisfies(e -> assertThat(((PeerAuthException) e).reason()).isEqualTo(CloseReason.WRONG_PEER));
        assertThat(b.connections()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(TransportKind.class)
    void badFramesCloseOnlyTheirLinkAndTheNodeKeepsServing(TransportKind transport) throws Exception {
        nodes = new TestNodes(transport);
        Network a = nodes.start(TestNodes.NETWORK, builder -> builder.maxFrameSize(1024));
        Network b = nodes.start();
        Network c = nodes.start();
        serveEcho(a);

        // a payload that does not decode as a Ping
        try (Link garbage = open(b, a, "test/echo")) {
            garbage.sendBytes(new byte[] {(byte) 0xff, 0x13, 0x37});
            assertThatThrownBy(() -> garbage.receive(Ping.class)).isInstanceOf(LinkClosedException.class)
                    .satisfies(e -> assertThat(((LinkClosedException) e).reason()).isEqualTo(CloseReason.PROTOCOL_VIOLATION));
        }
        // a frame larger than a's maximum frame size
        try (Link oversized = open(b, a, "test/echo")) {
            oversized.sendBytes(new byte[4096]);
            assertThatThrownBy(() -> oversized.receive(Ping.class)).isInstanceOf(LinkClosedException.class)
                    .satisfies(e -> assertThat(((LinkClosedException) e).reason()).isEqualTo(CloseReason.PROTOCOL_VIOLATION));
        }
        // a protocol a does not serve
        try (Link unknown = open(b, a, "test/nobody-serves-this")) {
            assertThatThrownBy(() -> unknown.receiveBytes()).isInstanceOf(LinkClosedException.class)
                    .satisfies(e -> assertThat(((LinkClosedException) e).reason()).isEqualTo(CloseReason.INVALID_ALPN));
        }
        assertThat(counter(a, "mosaik.network.frames.rejected", "reason", "undecodable")).isEqualTo(1.0);
        assertThat(counter(a, "mosaik.network.frames.rejected", "reason", "oversized")).isEqualTo(1.0);
        assertThat(counter(a, "mosaik.network.frames.rejected", "reason", "unknown-protocol")).isEqualTo(1.0);

        // the offender's connection and everyone else still work
        for (Network client : List.of(b, c)) {
            try (Link link = open(client, a, "test/echo")) {
                link.send(new Ping("still there?", 41));
                assertThat(link.receive(Ping.class).seq()).isEqualTo(42);
            }
        }
        assertThat(a.state()).isEqualTo(NetworkState.RUNNING);
    }

    @ParameterizedTest
    @EnumSource(TransportKind.class)
    void garbageBytesOnTheListeningPortDoNotDisturbTheNode(TransportKind transport) throws Exception {
        nodes = new TestNodes(transport);
        Network a = nodes.start();
        serveEcho(a);
        byte[] garbage = new byte[1200];
        new java.util.Random(7).nextBytes(garbage);
        java.net.InetSocketAddress target = a.address().socketAddress();
        if (transport == TransportKind.QUIC) {
            try (java.net.DatagramSocket udp = new java.net.DatagramSocket()) {
                for (int i = 0; i < 200; i++) {
                    garbage[0] = (byte) i; // vary the first byte: long and short QUIC headers both
                    udp.send(new java.net.DatagramPacket(garbage, garbage.length, target));
                }
            }
        } else {
            for (int i = 0; i < 20; i++) {
                try (java.net.Socket tcp = new java.net.Socket(target.getAddress(), target.getPort())) {
                    tcp.getOutputStream().write(garbage);
                }
            }
        }
        Network b = nodes.start();
        try (Link link = open(b, a, "test/echo")) {
            link.send(new Ping("after the garbage", 1));
            assertThat(link.receive(Ping.class).seq()).isEqualTo(2);
        }
        if (transport == TransportKind.TCP) {
            // every garbage connection failed its TLS handshake and was counted
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(
                    counter(a, "mosaik.network.handshakes.failed", "reason", "tls")).isEqualTo(20.0));
        }
    }

    @ParameterizedTest
    @EnumSource(TransportKind.class)
    void closeTellsPeersAndReleasesThePort(TransportKind transport) throws Exception {
        nodes = new TestNodes(transport);
        Network a = nodes.start();
        Network b = nodes.start();
        serveEcho(a);
        Link link = open(b, a, "test/echo");
        int port = a.address().port();

        a.close();
        assertThat(a.state()).isEqualTo(NetworkState.CLOSED);
        assertThatThrownBy(() -> link.receive(Ping.class)).isInstanceOf(LinkClosedException.class);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(b.connections()).isEmpty());

        Network again = nodes.start(TestNodes.NETWORK, builder -> builder.port(port));
        assertThat(again.address().port()).isEqualTo(port);
    }

    @ParameterizedTest
    @EnumSource(TransportKind.class)
    void bootstrapPeersAreConnectedAndReconnected(TransportKind transport) throws Exception {
        nodes = new TestNodes(transport);
        SecretKey seedKey = SecretKey.random();
        Network seed = nodes.start(TestNodes.NETWORK, builder -> builder.secretKey(seedKey));
        PeerAddress seedAddress = seed.address();
        Network joiner = nodes.start(TestNodes.NETWORK, builder -> builder.bootstrap(List.of(seedAddress)));

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(seed.connections()).extracting(ConnectionInfo::peer).containsExactly(joiner.peerId()));

        // the seed restarts with the same identity and port: the joiner comes back by itself
        seed.close();
        Network restarted = nodes.start(TestNodes.NETWORK,
                builder -> builder.secretKey(seedKey).port(seedAddress.port()));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(restarted.connections()).extracting(ConnectionInfo::peer).containsExactly(joiner.peerId()));
    }

    private static double counter(Network node, String name, String tag, String value) {
        var counter = node.meterRegistry().find(name).tag(tag, value).counter();
        return counter == null ? 0 : counter.count();
    }
}
