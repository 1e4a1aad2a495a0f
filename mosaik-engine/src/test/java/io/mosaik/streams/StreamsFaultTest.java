package io.mosaik.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mosaik.discovery.DiscoveryConfig;
import io.mosaik.network.Link;
import io.mosaik.network.Network;
import io.mosaik.network.PeerAddress;
import io.mosaik.network.transport.CloseReason;
import io.mosaik.network.transport.LinkClosedException;
import io.mosaik.primitives.NetworkId;
import io.mosaik.primitives.Tag;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What goes wrong between producers and consumers, and what each side does about it. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StreamsFaultTest {

    record Num(int n) {
    }

    record Txt(String n) {
    }

    record Blob(long seq, byte[] data) {
    }

    private static final NetworkId NETWORK = NetworkId.of("streams-faults");
    private static final Backoff FAST = new Backoff(Duration.ofMillis(50), 1.5, 0.2, Duration.ofMillis(500),
            Duration.ofSeconds(60));
    private final List<Network> nodes = new ArrayList<>();

    @AfterEach
    void close() {
        nodes.forEach(Network::close);
    }

    private Network node(String tag, List<PeerAddress> bootstrap) throws Exception {
        Network node = Network.builder(NETWORK).meterRegistry(new SimpleMeterRegistry()).bootstrap(bootstrap)
                .streamsBackoff(FAST).discovery(DiscoveryConfig.defaults().withTags(List.of(Tag.of(tag)))).start();
        nodes.add(node);
        return node;
    }

    private static double count(Network node, String meter, String... tags) {
        Counter counter = node.meterRegistry().find(meter).tags(tags).counter();
        return counter == null ? 0 : counter.count();
    }

    /** Opens a subscription by hand and returns the reason the producer closed it with. */
    private static CloseReason handshake(Network from, Network producer, StreamId stream) throws Exception {
        Link link = from.openLink(producer.address(), Streams.PROTOCOL).get(10, TimeUnit.SECONDS);
        try {
            // a producer that refuses before reading (UnknownPeer) may have closed the link already
            link.sendBytes(new StreamWire.Handshake(NETWORK, stream.digest()).encode());
            link.receiveBytes();
            return null;
        } catch (LinkClosedException e) {
            return e.reason();
        }
    }

    @Test
    void handshakesForUnknownStreamsFromUnknownPeersOverCapacityOrNotAllowedAreRefused() throws Exception {
        Network exchange = node("exchange", List.of());
        exchange.streams().producer(Num.class).streamId("vip").require(peer -> peer.hasTags(Tag.of("vip"))).build();
        exchange.streams().producer(Num.class).streamId("one").maxConsumers(1).build();

        // a stranger: not in the exchange's catalog
        Network stranger = node("stranger", List.of());
        assertThat(handshake(stranger, exchange, StreamId.of("one"))).isEqualTo(CloseReason.UNKNOWN_PEER);

        Network member = node("member", List.of(exchange.address()));
        exchange.discovery().when().matching(catalog -> catalog.getSigned(member.peerId(),
                System.currentTimeMillis()).isPresent()).get(30, TimeUnit.SECONDS);
        assertThat(handshake(member, exchange, StreamId.of("nothing"))).isEqualTo(CloseReason.STREAM_NOT_FOUND);
        assertThat(handshake(member, exchange, StreamId.of("vip"))).isEqualTo(CloseReason.NOT_ALLOWED);

        Consumer<Num> first = member.streams().consumer(Num.class).streamId("one").build();
        first.when().subscribed().future().get(30, TimeUnit.SECONDS);
        assertThat(handshake(member, exchange, StreamId.of("one"))).isEqualTo(CloseReason.NO_CAPACITY);

        assertThat(count(exchange, "mosaik.streams.connections.rejected", "reason", "unknown-peer")).isEqualTo(1);
        assertThat(count(exchange, "mosaik.streams.connections.rejected", "reason", "stream-not-found")).isEqualTo(1);
        assertThat(count(exchange, "mosaik.streams.producer.consumers.rejected", "reason", "not-allowed")).isEqualTo(1);
        assertThat(count(exchange, "mosaik.streams.producer.consumers.rejected", "reason", "capacity")).isEqualTo(1);
    }

    @Test
    void aConsumerThatTheProducerDoesNotKnowSyncsCatalogsAndRetriesAtOnce() throws Exception {
        Network trader = node("trader", List.of());
        Network exchange = node("exchange", List.of());
        Producer<Num> numbers = exchange.streams().produce(Num.class);
        // The trader learns of the exchange without telling it anything: no bootstrap, no gossip contact,
        // no sync (a fed entry is not a gossip candidate, and a ping answer only updates it). So the
        // exchange knows nothing of the trader until the subscription's handshake.
        trader.discovery().feed(exchange.discovery().me());
        Consumer<Num> consumer = trader.streams().consume(Num.class);

        numbers.when().online().get(30, TimeUnit.SECONDS);
        numbers.send(new Num(7));
        assertThat(consumer.poll(Duration.ofSeconds(10))).contains(new Num(7));
        assertThat(count(exchange, "mosaik.streams.connections.rejected", "reason", "unknown-peer"))
                .as("refused once, then the sync told it").isEqualTo(1);
        assertThat(exchange.discovery().catalog().getSigned(trader.peerId(), System.currentTimeMillis()))
                .isPresent();
        assertThat(consumer.producers()).singleElement().satisfies(channel ->
                assertThat(channel.state()).isEqualTo(ChannelState.CONNECTED));
    }

    @Test
    void aProducerThatStillRefusesAfterTheSyncIsRetriedWithBackoffNotAtOnce() throws Exception {
        // the exchange hides every peer whose round trip it measured (a max-rtt of a nanosecond): no sync
        // changes that, and a consumer that retried at once after each sync would hammer it
        Network exchange = Network.builder(NETWORK).meterRegistry(new SimpleMeterRegistry())
                .discovery(DiscoveryConfig.defaults().withMaxRtt(Duration.ofNanos(1))).start();
        nodes.add(exchange);
        Network trader = Network.builder(NETWORK).meterRegistry(new SimpleMeterRegistry())
                .streamsBackoff(new Backoff(Duration.ofMinutes(10), 1.5, 0.2, Duration.ofMinutes(10),
                        Duration.ofMinutes(30)))
                .discovery(DiscoveryConfig.defaults()).start();
        nodes.add(trader);
        trader.discovery().feed(exchange.discovery().me());
        exchange.discovery().ping(trader.address()).get(10, TimeUnit.SECONDS); // measured: hidden from now on
        exchange.streams().produce(Num.class);
        trader.streams().consume(Num.class);

        // refused, synced, retried at once, refused again: then it waits for the backoff (ten minutes here)
        await().atMost(Duration.ofSeconds(10)).until(() ->
                count(exchange, "mosaik.streams.connections.rejected", "reason", "unknown-peer") >= 2);
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() ->
                count(exchange, "mosaik.streams.connections.rejected", "reason", "unknown-peer") == 2);
    }

    @Test
    void theFirstSubscriptionToAProducerIsPrecededByAPingThatPredicatesSee() throws Exception {
        Network trader = node("trader", List.of());
        Network exchange = node("exchange", List.of(trader.address()));
        Producer<Num> numbers = exchange.streams().produce(Num.class);
        assertThat(trader.discovery().rtt(exchange.peerId())).as("no sample before the consumer").isEmpty();
        // Only producers with a round-trip sample qualify: without the ping before the first subscription
        // the exchange would have none until the periodic probe (15 to 45 s away).
        Consumer<Num> consumer = trader.streams().consumer(Num.class)
                .require(peer -> peer.rtt().isPresent()).build();
        consumer.when().subscribed().future().get(10, TimeUnit.SECONDS);
        assertThat(trader.discovery().rtt(exchange.peerId())).isPresent();
        numbers.send(new Num(8));
        assertThat(consumer.poll(Duration.ofSeconds(10))).contains(new Num(8));
    }

    /** Datums the consumer received from a producer's node, decodable or not. */
    private static long receivedFrom(Consumer<?> consumer, Network producer) {
        return consumer.producers().stream().filter(channel -> channel.producer().equals(producer.peerId()))
                .mapToLong(channel -> channel.stats().datums()).sum();
    }

    @Test
    void undecodableDatumsAreSkippedAndCountedAndTheConsumerCarriesOn() throws Exception {
        Network wrong = node("wrong", List.of());
        Network right = node("right", List.of(wrong.address()));
        Network reader = node("reader", List.of(wrong.address()));
        Producer<Txt> texts = wrong.streams().producer(Txt.class).streamId("numbers").build();
        Consumer<Num> numbers = reader.streams().consumer(Num.class).streamId("numbers").build();
        texts.when().online().get(30, TimeUnit.SECONDS);
        texts.send(new Txt("not a number"));
        await().atMost(Duration.ofSeconds(10)).until(() -> receivedFrom(numbers, wrong) == 1);
        assertThat(numbers.tryNext()).as("skipped when taken").isEmpty();
        assertThat(count(reader, "mosaik.streams.consumer.items.undecodable", "stream", "numbers")).isEqualTo(1);

        Producer<Num> good = right.streams().producer(Num.class).streamId("numbers").build();
        good.when().online().get(30, TimeUnit.SECONDS);
        good.send(new Num(42));
        assertThat(numbers.poll(Duration.ofSeconds(10))).contains(new Num(42));
        // the subscription to the producer of bad datums is still there too
        texts.send(new Txt("still not"));
        good.send(new Num(43));
        assertThat(numbers.poll(Duration.ofSeconds(10))).as("the bad one in between is skipped").contains(new Num(43));
        await().atMost(Duration.ofSeconds(10)).until(() -> receivedFrom(numbers, wrong) == 2);
        assertThat(numbers.tryNext()).isEmpty();
        assertThat(count(reader, "mosaik.streams.consumer.items.undecodable", "stream", "numbers")).isEqualTo(2);
        assertThat(numbers.producers()).hasSize(2);
    }

    @Test
    void predicatesThatThrowRefuseWithoutBreakingAnything() throws Exception {
        Network exchange = node("exchange", List.of());
        Network trader = node("trader", List.of(exchange.address()));
        Producer<Num> broken = exchange.streams().producer(Num.class).streamId("broken")
                .require(peer -> {
                    throw new IllegalStateException("bug in a predicate");
                }).build();
        Producer<Num> fine = exchange.streams().producer(Num.class).streamId("fine").build();
        Consumer<Num> fromBroken = trader.streams().consumer(Num.class).streamId("broken").build();
        Consumer<Num> fromFine = trader.streams().consumer(Num.class).streamId("fine")
                .require(peer -> {
                    if (peer.peerId() == null) {
                        throw new IllegalStateException("never");
                    }
                    return true;
                }).build();
        fine.when().online().get(30, TimeUnit.SECONDS);
        fine.send(new Num(1));
        assertThat(fromFine.poll(Duration.ofSeconds(10))).contains(new Num(1));
        await().atMost(Duration.ofSeconds(10)).until(() -> count(exchange,
                "mosaik.streams.producer.consumers.rejected", "stream", "broken", "reason", "not-allowed") >= 1);
        assertThat(broken.isOnline()).isFalse();
        assertThat(fromBroken.producers()).allSatisfy(channel -> assertThat(channel.isConnected()).isFalse());
    }

    @Test
    void consumersGoOfflineWhenTheProducerLeavesAndResubscribeWhenOneComesBack() throws Exception {
        Network seed = node("seed", List.of());
        Network first = node("exchange", List.of(seed.address()));
        Consumer<Num> consumer = seed.streams().consumer(Num.class).streamId("ticks")
                .onlineWhen(conditions -> conditions.minimumOf(1)).build();
        first.streams().producer(Num.class).streamId("ticks").build();
        consumer.when().online().get(30, TimeUnit.SECONDS);

        CompletableFuture<Void> offline = consumer.when().offline();
        first.close();
        offline.get(30, TimeUnit.SECONDS);
        assertThat(consumer.isOnline()).isFalse();

        Network second = node("exchange", List.of(seed.address()));
        Producer<Num> again = second.streams().producer(Num.class).streamId("ticks").build();
        consumer.when().online().get(30, TimeUnit.SECONDS);
        again.when().online().get(30, TimeUnit.SECONDS);
        again.send(new Num(2));
        assertThat(consumer.poll(Duration.ofSeconds(10))).contains(new Num(2));
    }

    @Test
    void aSlowConsumerIsDisconnectedAsTooSlowWithoutSlowingTheOthers() throws Exception {
        Network exchange = node("exchange", List.of());
        Network slow = node("slow", List.of(exchange.address()));
        Network fast = node("fast", List.of(exchange.address()));
        Producer<Blob> blobs = exchange.streams().produce(Blob.class); // queues of 1,024 datums
        Consumer<Blob> stalled = slow.streams().consumer(Blob.class).bufferSize(1).build(); // never read
        Consumer<Blob> reader = fast.streams().consume(Blob.class);
        blobs.when().subscribed().minimumOf(2).future().get(30, TimeUnit.SECONDS);

        int total = 20_000;
        // the fast reader keeps up: the producer never runs more than 512 datums ahead of it
        java.util.concurrent.Semaphore ahead = new java.util.concurrent.Semaphore(512);
        CompletableFuture<Long> read = CompletableFuture.supplyAsync(() -> {
            long expected = 0;
            try {
                while (expected < total) {
                    Blob blob = reader.next();
                    if (blob.seq() != expected) {
                        throw new AssertionError("expected " + expected + " but got " + blob.seq());
                    }
                    expected++;
                    ahead.release();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return expected;
        });
        byte[] data = new byte[1_024];
        for (int i = 0; i < total; i++) {
            if (!ahead.tryAcquire(30, TimeUnit.SECONDS)) {
                throw new AssertionError("the fast reader stopped at " + i);
            }
            blobs.send(new Blob(i, data));
        }
        assertThat(read.get(60, TimeUnit.SECONDS)).isEqualTo(total);
        assertThat(count(exchange, "mosaik.streams.producer.items.dropped", "stream", Blob.class.getName()))
                .isPositive();
        assertThat(stalled.stats().datums()).isZero();
    }
}
