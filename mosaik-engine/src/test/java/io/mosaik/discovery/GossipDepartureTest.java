package io.mosaik.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mosaik.network.Network;
import io.mosaik.network.PeerAddress;
import io.mosaik.network.TransportKind;
import io.mosaik.primitives.NetworkId;
import io.mosaik.primitives.Tag;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A node that closes gracefully leaves its neighbours' catalogs at once even when a neighbour is slow to
 * read its gossip link: it waits (at most 500 ms) until each neighbour took its departure, so closing
 * the connections afterwards cannot lose it (QUIC drops what the receiver has not read when the
 * connection closes; TCP delivers it late). A neighbour that does not read at all holds the close for
 * the 500 ms only. The slow reader is a neighbour whose count of received gossip messages, taken on
 * the thread that reads the link, holds that thread until released.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GossipDepartureTest {

    private static final NetworkId NETWORK = NetworkId.of("gossip-departure");
    private final List<Network> nodes = new ArrayList<>();

    @AfterEach
    void close() {
        nodes.forEach(Network::close);
    }

    /** A registry whose gossip receive count holds the reading thread while {@link #hold} is armed. */
    private static final class SlowReaderRegistry extends SimpleMeterRegistry {
        volatile CountDownLatch hold;
        final CountDownLatch holding = new CountDownLatch(1);

        @Override
        protected Counter newCounter(Meter.Id id) {
            Counter counter = super.newCounter(id);
            if (!id.getName().equals("mosaik.discovery.gossip.messages.received")) {
                return counter;
            }
            return new Counter() {
                @Override
                public void increment(double amount) {
                    CountDownLatch armed = hold;
                    if (armed != null) {
                        holding.countDown();
                        try {
                            armed.await(10, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    counter.increment(amount);
                }

                @Override
                public double count() {
                    return counter.count();
                }

                @Override
                public Meter.Id getId() {
                    return counter.getId();
                }
            };
        }
    }

    private Network start(TransportKind transport, SimpleMeterRegistry registry, String tag,
            List<PeerAddress> bootstrap) throws Exception {
        Network node = Network.builder(NETWORK).transport(transport).meterRegistry(registry).bootstrap(bootstrap)
                .discovery(DiscoveryConfig.defaults().withTags(List.of(Tag.of(tag)))).build();
        nodes.add(node);
        return node.start();
    }

    private record Pair(Network observer, Network leaving) {
    }

    /** Starts an observer that reads slowly and a node that joins through it, and waits until they are linked. */
    private Pair pair(TransportKind transport, SlowReaderRegistry slow) throws Exception {
        Network observer = start(transport, slow, "observer", List.of());
        Network leaving = start(transport, new SimpleMeterRegistry(), "leaving", List.of(observer.address()));
        observer.discovery().when().peerWithTags(Tag.of("leaving")).get(30, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10)).until(() -> leaving.discovery().gossipNeighbors() == 1
                && observer.discovery().gossipNeighbors() == 1);
        return new Pair(observer, leaving);
    }

    /**
     * Has the observer stop reading the leaving node's gossip link at its next message (a tag change at the
     * latest), so that what the leaving node sends next waits unread on the link.
     */
    private static void holdReading(SlowReaderRegistry slow, CountDownLatch release, Network leaving)
            throws Exception {
        slow.hold = release;
        leaving.discovery().addTags(List.of(Tag.of("last-words")));
        assertThat(slow.holding.await(10, TimeUnit.SECONDS)).isTrue();
    }

    @ParameterizedTest
    @EnumSource(TransportKind.class)
    void aNeighbourThatReadsLateStillTakesTheDeparture(TransportKind transport) throws Exception {
        SlowReaderRegistry slow = new SlowReaderRegistry();
        Pair pair = pair(transport, slow);
        Network observer = pair.observer();
        Network leaving = pair.leaving();

        CountDownLatch release = new CountDownLatch(1);
        holdReading(slow, release, leaving);
        double received = observer.meterRegistry().get("mosaik.discovery.announcements.received").counter().count();
        // it reads again after 150 ms, well within the departure window (lengthened from 500 ms, so that a
        // late timer on a busy machine cannot outlast it)
        leaving.discovery().departureWindowMillis = 10_000;
        CompletableFuture.delayedExecutor(150, TimeUnit.MILLISECONDS).execute(() -> {
            slow.hold = null;
            release.countDown();
        });

        leaving.close();
        // the close waited for the observer: it had taken the tag change and the departure by then
        assertThat(observer.meterRegistry().get("mosaik.discovery.announcements.received").counter().count())
                .isGreaterThanOrEqualTo(received + 2);
        // purge-after is 300 s: only the departure can remove it this soon
        observer.discovery().when().matching(catalog -> catalog.getSigned(leaving.peerId(),
                System.currentTimeMillis()).isEmpty()).get(10, TimeUnit.SECONDS);
    }

    @ParameterizedTest
    @EnumSource(TransportKind.class)
    void aNeighbourThatDoesNotReadDelaysTheCloseByLittleMoreThanTheDepartureWindow(TransportKind transport)
            throws Exception {
        SlowReaderRegistry slow = new SlowReaderRegistry();
        Network leaving = pair(transport, slow).leaving();
        CountDownLatch release = new CountDownLatch(1);
        try {
            holdReading(slow, release, leaving);
            long start = System.nanoTime();
            leaving.close();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        } finally {
            slow.hold = null;
            release.countDown();
        }
    }
}
