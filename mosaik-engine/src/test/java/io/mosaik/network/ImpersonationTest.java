package io.mosaik.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.mosaik.network.transport.CloseReason;
import io.mosaik.network.transport.FrameStream;
import io.mosaik.network.transport.LinkClosedException;
import io.mosaik.network.transport.Transport;
import io.mosaik.network.transport.TransportConfig;
import io.mosaik.network.transport.TransportConnection;
import io.mosaik.primitives.PeerId;
import io.mosaik.primitives.SecretKey;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Speaks the peer-authentication protocol by hand, as an attacker would, against a real node.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ImpersonationTest {

    private TestNodes nodes;
    private Transport attacker;

    @AfterEach
    void close() {
        if (attacker != null) {
            attacker.close();
        }
        if (nodes != null) {
            nodes.close();
        }
    }

    private FrameStream dial(TransportKind transport, Network target) throws Exception {
        attacker = transport.create(TransportConfig.defaults(transport.configName()), Duration.ofSeconds(10));
        attacker.bind(new java.net.InetSocketAddress("127.0.0.1", 0));
        TransportConnection connection = attacker.dial(target.address().socketAddress(), Duration.ofSeconds(30))
                .get(30, TimeUnit.SECONDS);
        current = connection;
        return connection.openStream(Duration.ofSeconds(10));
    }

    private TransportConnection current;

    /**
     * Sends on the attacker's raw stream from a thread of its own: kwik interrupts the thread that last
     * wrote to a QUIC stream when the stream is reset, and the node resets it when it refuses the attacker,
     * so writing from the test thread would leave that thread interrupted for what the test does next.
     */
    private static void send(FrameStream stream, byte[] payload) throws Exception {
        try (var writer = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            writer.submit(() -> {
                stream.send(payload);
                return null;
            }).get(30, TimeUnit.SECONDS);
        }
    }

    private static byte[] hello(PeerId claimed, byte[] nonce) {
        return ByteBuffer.allocate(1 + 32 + 32 + 32 + 32).put((byte) 1)
                .put(TestNodes.NETWORK.digest().toBytes()).put(claimed.toBytes()).put(nonce).put(new byte[32]).array();
    }

    private static byte[] nonce() {
        byte[] nonce = new byte[32];
        new SecureRandom().nextBytes(nonce);
        return nonce;
    }

    @ParameterizedTest
    @EnumSource(TransportKind.class)
    void aNodeClaimingAnotherNodesPeerIdIsRefused(TransportKind transport) throws Exception {
        nodes = new TestNodes(transport);
        Network target = nodes.start();
        SecretKey victim = SecretKey.random();
        SecretKey mallory = SecretKey.random();

        FrameStream control = dial(transport, target);
        byte[] dialerNonce = nonce();
        send(control, hello(victim.peerId(), dialerNonce));
        ByteBuffer challenge = ByteBuffer.wrap(control.receive());
        PeerId listener = PeerId.fromBytes(take(challenge, 32));
        byte[] listenerNonce = take(challenge, 32);
        // a well-formed proof, but signed with Mallory's key instead of the victim's
        byte[] transcript = PeerAuth.transcript("client", TestNodes.NETWORK, dialerNonce, listenerNonce, current,
                victim.peerId(), listener);
        send(control, mallory.sign(transcript));

        assertThatThrownBy(control::receive).isInstanceOf(LinkClosedException.class)
                .satisfies(e -> assertThat(((LinkClosedException) e).reason()).isEqualTo(CloseReason.AUTHENTICATION_FAILED));
        assertThat(target.connections()).isEmpty();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(target.meterRegistry()
                .find("mosaik.network.peers.rejected").tag("reason", "AuthenticationFailed").counter().count())
                .isEqualTo(1.0));
    }

    @ParameterizedTest
    @EnumSource(TransportKind.class)
    void aProofFromAnotherSessionCannotBeReplayed(TransportKind transport) throws Exception {
        nodes = new TestNodes(transport);
        Network target = nodes.start();
        SecretKey victim = SecretKey.random();

        FrameStream control = dial(transport, target);
        byte[] dialerNonce = nonce();
        send(control, hello(victim.peerId(), dialerNonce));
        ByteBuffer challenge = ByteBuffer.wrap(control.receive());
        PeerId listener = PeerId.fromBytes(take(challenge, 32));
        take(challenge, 32);
        // a genuine signature of the victim, but over an older session's nonce
        byte[] staleTranscript = PeerAuth.transcript("client", TestNodes.NETWORK, dialerNonce, nonce(), current,
                victim.peerId(), listener);
        send(control, victim.sign(staleTranscript));

        assertThatThrownBy(control::receive).isInstanceOf(LinkClosedException.class)
                .satisfies(e -> assertThat(((LinkClosedException) e).reason()).isEqualTo(CloseReason.AUTHENTICATION_FAILED));
        assertThat(target.connections()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(TransportKind.class)
    void garbageInsteadOfAHelloIsAProtocolViolation(TransportKind transport) throws Exception {
        nodes = new TestNodes(transport);
        Network target = nodes.start();

        FrameStream control = dial(transport, target);
        send(control, new byte[] {'G', 'E', 'T', ' ', '/'});

        assertThatThrownBy(control::receive).isInstanceOf(LinkClosedException.class)
                .satisfies(e -> assertThat(((LinkClosedException) e).reason()).isEqualTo(CloseReason.PROTOCOL_VIOLATION));
        // and the node still accepts honest peers
        Network honest = nodes.start();
        assertThat(honest.connect(target.address()).get(30, TimeUnit.SECONDS).peer()).isEqualTo(target.peerId());
    }

    @ParameterizedTest
    @EnumSource(TransportKind.class)
    void aPeerThatNeverAuthenticatesIsDroppedAndCountedOnce(TransportKind transport) throws Exception {
        nodes = new TestNodes(transport);
        Network target = nodes.start(TestNodes.NETWORK, builder -> builder.handshakeTimeout(Duration.ofSeconds(2)));

        FrameStream control = dial(transport, target); // and then say nothing

        assertThatThrownBy(control::receive).isInstanceOf(LinkClosedException.class);
        await().atMost(Duration.ofSeconds(20)).until(() -> !current.isOpen());
        assertThat(target.meterRegistry().find("mosaik.network.peers.rejected").tag("reason", "Timeout").counter()
                .count()).isEqualTo(1.0);
        assertThat(target.connections()).isEmpty();
    }

    private static byte[] take(ByteBuffer buffer, int length) {
        byte[] bytes = new byte[length];
        buffer.get(bytes);
        return bytes;
    }
}
