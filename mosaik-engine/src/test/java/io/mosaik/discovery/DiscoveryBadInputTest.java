package io.mosaik.discovery;

import static io.mosaik.discovery.AttackedNode.entry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mosaik.network.Link;
import io.mosaik.network.Network;
import io.mosaik.network.transport.CloseReason;
import io.mosaik.network.transport.LinkClosedException;
import io.mosaik.primitives.NetworkId;
import io.mosaik.primitives.SecretKey;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A peer of the same network misbehaves on the ping and catalog sync protocols, as responder and as
 * requester: the victim closes such links with {@code ProtocolViolation}, counts what it refused, fails
 * its own ping or sync with a clear error, and keeps working. To answer the victim's own pings and syncs
 * badly the attacker serves them under protocol names of its own (its discovery serves the real ones),
 * and the victim is pointed at those.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DiscoveryBadInputTest {

    private static final NetworkId NETWORK = NetworkId.of("discovery-bad-input");
    private static final String BAD_PING = "test/bad-ping";
    private static final String BAD_SYNC = "test/bad-sync";
    private AttackedNode nodes;
    private Network victim;
    private Network attacker;

    @BeforeEach
    void start() throws Exception {
        nodes = new AttackedNode(NETWORK);
        victim = nodes.victim;
        attacker = nodes.attacker;
    }

    @AfterEach
    void close() {
        nodes.close();
    }

    /** The attacker answers every request on {@code protocol} with {@code answer}, and records how it ended. */
    private CompletableFuture<LinkClosedException> answering(String protocol, byte[] answer) {
        CompletableFuture<LinkClosedException> ended = new CompletableFuture<>();
        attacker.handle(protocol, link -> {
            link.receiveBytes();
            link.sendBytes(answer);
            try {
                link.receiveBytes();
                ended.completeExceptionally(new AssertionError("the victim sent more"));
            } catch (LinkClosedException closed) {
                ended.complete(closed);
            }
        });
        return ended;
    }

    private static void assertClosedAsViolation(CompletableFuture<LinkClosedException> ended) throws Exception {
        LinkClosedException closed = ended.get(10, TimeUnit.SECONDS);
        assertThat(closed.reason()).isEqualTo(CloseReason.PROTOCOL_VIOLATION);
        assertThat(closed.remote()).isTrue();
    }

    /** A good ping of the attacker's real ping handler, and one from it, still work. */
    private void assertPingsStillWork() throws Exception {
        assertThat(victim.discovery().ping(attacker.address()).get(10, TimeUnit.SECONDS)).isPositive();
        assertThat(attacker.discovery().ping(victim.address()).get(10, TimeUnit.SECONDS)).isPositive();
    }

    @Test
    void aPingRequestThatIsNotEmptyClosesTheLink() throws Exception {
        Link link = nodes.link(Discovery.PING);
        link.sendBytes(new byte[] {1, 2, 3});
        AttackedNode.expectViolation(link);
        nodes.awaitRejected("malformed", 1);

        assertPingsStillWork();
        nodes.assertStillWorking();
    }

    @Test
    void aPingAnswerThatDoesNotDecodeFailsThePing() throws Exception {
        CompletableFuture<LinkClosedException> ended = answering(BAD_PING, new byte[] {9, 9, 9});

        assertThatThrownBy(() -> victim.discovery().ping(attacker.address(), BAD_PING).get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause().isInstanceOf(IOException.class)
                .hasMessageContaining("answered a ping with a bad entry");
        assertClosedAsViolation(ended);
        assertThat(nodes.rejected("malformed")).isEqualTo(1);
        assertThat(victim.discovery().rtt(attacker.peerId())).isEmpty();

        assertPingsStillWork();
    }

    @Test
    void aPingAnsweredWithAnotherPeersEntryFailsAndTheEntryIsNotTaken() throws Exception {
        SecretKey third = SecretKey.random();
        CompletableFuture<LinkClosedException> ended = answering(BAD_PING,
                entry(third, NETWORK, "third", System.currentTimeMillis()).toBytes());

        assertThatThrownBy(() -> victim.discovery().ping(attacker.address(), BAD_PING).get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause().isInstanceOf(IOException.class)
                .hasMessageContaining("answered a ping with the entry of another peer")
                .hasMessageContaining(third.peerId().toShortString());
        assertClosedAsViolation(ended);
        assertThat(nodes.rejected("wrong-peer")).isEqualTo(1);
        assertThat(victim.discovery().catalog().getSigned(third.peerId(), System.currentTimeMillis())).isEmpty();
        assertThat(victim.discovery().rtt(attacker.peerId())).isEmpty();

        assertPingsStillWork();
    }

    @Test
    void syncedEntriesOfAnotherNetworkOrFromTheFutureAreRefusedAndCounted() throws Exception {
        long now = System.currentTimeMillis();
        SecretKey foreign = SecretKey.random();
        SecretKey ahead = SecretKey.random();
        SecretKey honest = SecretKey.random();
        Link link = nodes.link(CatalogSync.PROTOCOL);
        link.sendBytes(CatalogSync.encode(List.of(entry(foreign, NetworkId.of("elsewhere"), "foreign", now),
                entry(ahead, NETWORK, "ahead", now + Duration.ofMinutes(10).toMillis()),
                entry(honest, NETWORK, "honest", now))));
        // the acceptor merges before it answers
        assertThat(CatalogSync.decode(link.receiveBytes())).extracting(signed -> signed.entry().peerId())
                .contains(victim.peerId());

        assertThat(nodes.rejected("different-network")).isEqualTo(1);
        assertThat(nodes.rejected("time-drift")).isEqualTo(1);
        Catalog catalog = victim.discovery().catalog();
        assertThat(catalog.getSigned(honest.peerId(), now)).isPresent();
        assertThat(catalog.getSigned(foreign.peerId(), now)).isEmpty();
        assertThat(catalog.getSigned(ahead.peerId(), now)).isEmpty();
        nodes.assertStillWorking();
    }

    @Test
    void aGarbageAnswerToOurSyncFailsItAndIsCounted() throws Exception {
        CompletableFuture<LinkClosedException> ended = answering(BAD_SYNC, new byte[] {0, 0, 0, 5, 1});

        assertThatThrownBy(() -> victim.discovery().syncWith(attacker.address(), BAD_SYNC).get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause().isInstanceOfSatisfying(LinkClosedException.class,
                        closed -> assertThat(closed.reason()).isEqualTo(CloseReason.PROTOCOL_VIOLATION))
                .hasMessageContaining("catalog snapshot of " + attacker.peerId().toShortString() + " is malformed");
        assertClosedAsViolation(ended);
        assertThat(nodes.rejected("malformed")).isEqualTo(1);
        assertThat(victim.discovery().catalog().getSigned(attacker.peerId(), System.currentTimeMillis())).isEmpty();

        victim.discovery().syncWith(attacker.address()).get(10, TimeUnit.SECONDS);
        assertThat(victim.discovery().catalog().getSigned(attacker.peerId(), System.currentTimeMillis())).isPresent();
        nodes.assertStillWorking();
    }
}
