package io.mosaik.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mosaik.network.Network;
import io.mosaik.primitives.NetworkId;
import io.mosaik.primitives.SecretKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link Discovery#events()}: a receiver read at its own pace keeps at most {@code eventsBacklog} unread
 * events; beyond that the oldest are dropped and the reader is told how many (spec §2.11).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DiscoveryEventsTest {

    private static final NetworkId NETWORK = NetworkId.of("discovery-events-test");
    private final List<Network> nodes = new ArrayList<>();

    @AfterEach
    void close() {
        nodes.forEach(Network::close);
    }

    private static DiscoveryEvent departed() {
        return new DiscoveryEvent.PeerDeparted(SecretKey.random().peerId());
    }

    @Test
    void aReaderThatFellBehindIsToldHowManyWereDroppedThenGetsTheNewestInOrder() throws Exception {
        DiscoveryEvents events = new DiscoveryEvents(3, () -> { });
        List<DiscoveryEvent> sent = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            DiscoveryEvent event = departed();
            sent.add(event);
            events.offer(event);
        }
        assertThatThrownBy(() -> events.poll(Duration.ZERO)).isInstanceOfSatisfying(
                DiscoveryEvents.LaggedException.class, lagged -> assertThat(lagged.missed()).isEqualTo(2));
        assertThat(events.poll(Duration.ZERO)).isEqualTo(sent.get(2));
        assertThat(events.poll(Duration.ZERO)).isEqualTo(sent.get(3));
        assertThat(events.poll(Duration.ZERO)).isEqualTo(sent.get(4));
        assertThat(events.poll(Duration.ofMillis(10))).isNull();
    }

    @Test
    void closingWakesAWaitingReader() throws Exception {
        List<Runnable> closed = new ArrayList<>();
        DiscoveryEvents events = new DiscoveryEvents(3, () -> closed.add(() -> { }));
        CompletableFuture<Thread> reader = new CompletableFuture<>();
        CompletableFuture<DiscoveryEvent> waiting = CompletableFuture.supplyAsync(() -> {
            reader.complete(Thread.currentThread());
            try {
                return events.poll(Duration.ofSeconds(30));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Thread polling = reader.get(10, TimeUnit.SECONDS);
        // close only once the reader waits inside poll, so that the close is what ends the wait
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> polling.getState() == Thread.State.TIMED_WAITING);
        events.close();
        assertThat(waiting.get(10, TimeUnit.SECONDS)).isNull();
        assertThat(events.isClosed()).isTrue();
        assertThat(closed).hasSize(1);
        events.offer(departed());
        assertThat(events.poll(Duration.ZERO)).isNull();
    }

    @Test
    void aSlowReaderWithASmallBacklogLagsWithoutHoldingDiscoveryBack() throws Exception {
        Network observer = start(DiscoveryConfig.defaults().withEventsBacklog(2));
        DiscoveryEvents slow = observer.discovery().events();
        DiscoveryEvents other = observer.discovery().events();
        for (int i = 0; i < 4; i++) {
            Network peer = start(DiscoveryConfig.defaults());
            observer.discovery().ping(peer.address()).get(30, TimeUnit.SECONDS); // its answer: PeerDiscovered
        }
        // nobody read: discovery went on regardless, and each receiver kept the newest two
        assertThat(observer.discovery().peersCount()).isEqualTo(4);
        for (DiscoveryEvents receiver : List.of(slow, other)) {
            assertThatThrownBy(() -> receiver.poll(Duration.ZERO)).isInstanceOfSatisfying(
                    DiscoveryEvents.LaggedException.class,
                    lagged -> assertThat(lagged.missed()).isGreaterThanOrEqualTo(2));
            // then it reads on from the newest events it kept (the peers' gossip links and syncs may bring
            // more meanwhile, and lag it again: a lag says how many were missed and is followed by events)
            DiscoveryEvent next = null;
            for (int attempt = 0; next == null && attempt < 10; attempt++) {
                try {
                    next = receiver.poll(Duration.ZERO);
                } catch (DiscoveryEvents.LaggedException again) {
                    assertThat(again.missed()).isPositive();
                }
            }
            assertThat(next).isNotNull();
        }
        slow.close();
        observer.close();
        assertThat(other.isClosed()).isTrue(); // closed with discovery
    }

    private Network start(DiscoveryConfig config) throws Exception {
        Network node = Network.builder(NETWORK).meterRegistry(new SimpleMeterRegistry()).discovery(config).build();
        nodes.add(node);
        return node.start();
    }
}
