package io.mosaik.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mosaik.discovery.DiscoveryConfig;
import io.mosaik.network.Network;
import io.mosaik.network.PeerAddress;
import io.mosaik.primitives.NetworkId;
import io.mosaik.primitives.Tag;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Producers and consumers on real nodes on loopback. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StreamsTest {

    record Quote(String symbol, long price) {
    }

    record Num(int n) {
    }

    record Txt(String n) {
    }

    private static final NetworkId NETWORK = NetworkId.of("streams-test");
    private final List<Network> nodes = new ArrayList<>();

    @AfterEach
    void close() {
        nodes.forEach(Network::close);
    }

    private Network node(String tag, List<PeerAddress> bootstrap) throws Exception {
        Network node = Network.builder(NETWORK).meterRegistry(new SimpleMeterRegistry()).bootstrap(bootstrap)
                .discovery(DiscoveryConfig.defaults().withTags(List.of(Tag.of(tag)))).start();
        nodes.add(node);
        return node;
    }

    private static double count(Network node, String meter, String... tags) {
        Counter counter = node.meterRegistry().find(meter).tags(tags).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void everyConsumerGetsEveryDatumInOrderWithStats() throws Exception {
        Network exchange = node("exchange", List.of());
        Network a = node("trader", List.of(exchange.address()));
        Network b = node("trader", List.of(exchange.address()));
        Producer<Quote> quotes = exchange.streams().produce(Quote.class);
        assertThat(exchange.streams().produce(Quote.class)).isSameAs(quotes);
        Consumer<Quote> first = a.streams().consume(Quote.class);
        Consumer<Quote> second = b.streams().consume(Quote.class);

        quotes.when().subscribed().minimumOf(2).future().get(30, TimeUnit.SECONDS);
        assertThat(quotes.isOnline()).isTrue();
        for (int i = 0; i < 1_000; i++) {
            quotes.send(new Quote("ACME", i));
        }
        for (Consumer<Quote> consumer : List.of(first, second)) {
            for (int i = 0; i < 1_000; i++) {
                assertThat(consumer.next()).isEqualTo(new Quote("ACME", i));
            }
            assertThat(consumer.stats().datums()).isEqualTo(1_000);
            assertThat(consumer.producers()).singleElement().satisfies(channel -> {
                assertThat(channel.producer()).isEqualTo(exchange.peerId());
                assertThat(channel.state()).isEqualTo(ChannelState.CONNECTED);
                assertThat(channel.stats().datums()).isEqualTo(1_000);
                assertThat(channel.stats().bytes()).isEqualTo(consumer.stats().bytes()).isPositive();
            });
        }
        assertThat(quotes.consumers()).hasSize(2).allSatisfy(channel -> assertThat(channel.stats().datums())
                .isEqualTo(1_000));
        assertThat(exchange.discovery().me().entry().streams()).contains(StreamId.of(Quote.class).digest());
        assertThat(count(exchange, "mosaik.streams.producer.items.sent", "stream", Quote.class.getName()))
                .isEqualTo(2_000);
    }

    @Test
    void aPublisherHonoursDemandAndAStreamViewEndsOnClose() throws Exception {
        Network exchange = node("exchange", List.of());
        Network trader = node("trader", List.of(exchange.address()));
        Producer<Quote> quotes = exchange.streams().producer(Quote.class).streamId("quotes").build();
        Consumer<Quote> consumer = trader.streams().consumer(Quote.class).streamId("quotes").build();
        quotes.when().online().get(30, TimeUnit.SECONDS);
        for (int i = 0; i < 10; i++) {
            quotes.send(new Quote("X", i));
        }
        List<Quote> received = new CopyOnWriteArrayList<>();
        Flow.Subscription[] subscription = new Flow.Subscription[1];
        consumer.publisher().subscribe(new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription s) {
                subscription[0] = s;
                s.request(3);
            }

            @Override
            public void onNext(Quote item) {
                received.add(item);
            }

            @Override
            public void onError(Throwable throwable) {
            }

            @Override
            public void onComplete() {
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 3);
        // no more than asked for was taken from the consumer: the other seven still wait there
        assertThat(consumer.stats().datums()).isEqualTo(3);
        subscription[0].request(100);
        await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 10);
        assertThat(received).extracting(Quote::price).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
    }

    @Test
    void aStreamViewEndsWhenTheConsumerCloses() throws Exception {
        Network exchange = node("exchange", List.of());
        Network trader = node("trader", List.of(exchange.address()));
        Producer<Quote> quotes = exchange.streams().produce(Quote.class);
        Consumer<Quote> consumer = trader.streams().consume(Quote.class);
        quotes.when().online().get(30, TimeUnit.SECONDS);
        java.util.concurrent.CompletableFuture<List<Quote>> collected = java.util.concurrent.CompletableFuture
                .supplyAsync(() -> consumer.stream().toList());
        quotes.send(new Quote("A", 1));
        quotes.send(new Quote("B", 2));
        await().atMost(Duration.ofSeconds(10)).until(() -> consumer.stats().datums() == 2);
        consumer.close();
        assertThat(collected.get(10, TimeUnit.SECONDS)).extracting(Quote::symbol).containsExactly("A", "B");
        // the producer sees the subscription go
        quotes.when().unsubscribed().future().get(10, TimeUnit.SECONDS);
        assertThat(quotes.trySend(new Quote("C", 3))).isEqualTo(SendStatus.OFFLINE);
    }
}
