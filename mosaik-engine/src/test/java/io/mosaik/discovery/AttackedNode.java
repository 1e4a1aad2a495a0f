package io.mosaik.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mosaik.network.Link;
import io.mosaik.network.Network;
import io.mosaik.network.PeerAddress;
import io.mosaik.network.transport.CloseReason;
import io.mosaik.network.transport.LinkClosedException;
import io.mosaik.primitives.NetworkId;
import io.mosaik.primitives.SecretKey;
import io.mosaik.primitives.Tag;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * Test fixture for bad input: a victim node and an attacker node of the same network (it authenticated,
 * so it may open any discovery link to the victim and send what an honest node never would), with the
 * victim's rejection counts and a check that it still works afterwards.
 */
final class AttackedNode implements AutoCloseable {

    final NetworkId network;
    final SecretKey attackerKey = SecretKey.random();
    final Network victim;
    final Network attacker;
    private final List<Network> nodes = new ArrayList<>();

    AttackedNode(NetworkId network) throws Exception {
        this.network = network;
        victim = node(SecretKey.random(), List.of());
        attacker = node(attackerKey, List.of());
    }

    private Network node(SecretKey key, List<PeerAddress> bootstrap) throws Exception {
        Network node = Network.builder(network).secretKey(key).meterRegistry(new SimpleMeterRegistry())
                .bootstrap(bootstrap).build();
        nodes.add(node);
        return node.start();
    }

    /** A link from the attacker to one of the victim's protocols. */
    Link link(String protocol) throws Exception {
        return attacker.openLink(victim.address(), protocol).get(10, TimeUnit.SECONDS);
    }

    /** Expects the other side to close {@code link} with {@code ProtocolViolation}. */
    static void expectViolation(Link link) {
        assertThatThrownBy(link::receiveBytes).isInstanceOfSatisfying(LinkClosedException.class, closed -> {
            assertThat(closed.reason()).isEqualTo(CloseReason.PROTOCOL_VIOLATION);
            assertThat(closed.remote()).isTrue();
        });
    }

    /** A validly signed entry of {@code key}'s peer, created at {@code at}. */
    static SignedPeerEntry entry(SecretKey key, NetworkId network, String tag, long at) {
        return SignedPeerEntry.sign(PeerEntry.create(network, new PeerAddress(key.peerId(), "127.0.0.1", 9),
                List.of(Tag.of(tag)), at), key);
    }

    /** How many entries the victim refused for this reason. */
    double rejected(String reason) {
        Counter counter = victim.meterRegistry().find("mosaik.discovery.entries.rejected").tag("reason", reason)
                .counter();
        return counter == null ? 0 : counter.count();
    }

    /** Waits until the victim counted {@code count} refusals for this reason (it may count after closing). */
    void awaitRejected(String reason, double count) {
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> rejected(reason) == count);
    }

    /** A newcomer bootstrapping from the victim and the victim find each other. */
    void assertStillWorking() throws Exception {
        Network newcomer = node(SecretKey.random(), List.of(victim.address()));
        victim.discovery().when().matching(catalog -> catalog.getSigned(newcomer.peerId(),
                System.currentTimeMillis()).isPresent()).get(20, TimeUnit.SECONDS);
        newcomer.discovery().when().matching(catalog -> catalog.getSigned(victim.peerId(),
                System.currentTimeMillis()).isPresent()).get(20, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        nodes.forEach(Network::close);
    }
}
