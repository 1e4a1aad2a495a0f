package io.mosaik.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mosaik.network.Network;
import io.mosaik.streams.Consumer;
import io.mosaik.streams.Producer;
import io.mosaik.streams.Streams;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Streams in Spring: producers and consumers declared in yml become beans injectable by generic type,
 * and {@link MosaikConsumer} methods receive datums, across two applications on loopback.
 */
@Timeout(120)
class StreamBeansTest {

    /** A datum. */
    public record Quote(String symbol, long price) {
    }

    /** Collects what the annotated method receives; throws on a negative price. */
    public static class QuoteBook {
        final List<Quote> received = new CopyOnWriteArrayList<>();

        @MosaikConsumer(stream = "quotes", requireTags = "exchange")
        void on(Quote quote) {
            if (quote.price() < 0) {
                throw new IllegalArgumentException("negative price");
            }
            received.add(quote);
        }
    }

    /** Injects the declared beans by generic type. */
    public static class Injected {
        @Autowired
        Producer<Quote> producer;
    }

    @Configuration(proxyBeanMethods = false)
    static class ConsumerApp {
        @Bean
        QuoteBook quoteBook() {
            return new QuoteBook();
        }

        @Bean
        SimpleMeterRegistry registry() {
            return new SimpleMeterRegistry();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class ProducerApp {
        @Bean
        Injected injected() {
            return new Injected();
        }
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(MosaikAutoConfiguration.class))
            .withPropertyValues("mosaik.network-id=stream-beans-test");

    @Test
    void declaredProducersReachAnnotatedAndDeclaredConsumers() {
        runner.withUserConfiguration(ProducerApp.class).withPropertyValues(
                "mosaik.discovery.tags=exchange",
                "mosaik.streams.producers.quotes.type=" + Quote.class.getName(),
                "mosaik.streams.producers.quotes.stream-id=quotes",
                "mosaik.streams.producers.quotes.online-minimum=2").run(exchange -> {
            assertThat(exchange).hasNotFailed();
            Network exchangeNode = exchange.getBean(Network.class);
            @SuppressWarnings("unchecked")
            Producer<Quote> quotes = exchange.getBean(Injected.class).producer;
            assertThat(exchange.getBean("quotes")).isSameAs(quotes);
            assertThat(quotes.streamId().name()).isEqualTo("quotes");
            assertThat(exchange.getBean(Streams.class).producers()).containsExactly(quotes);

            runner.withUserConfiguration(ConsumerApp.class).withPropertyValues(
                    "mosaik.discovery.bootstrap=" + exchangeNode.address(),
                    "mosaik.streams.consumers.feed.type=" + Quote.class.getName(),
                    "mosaik.streams.consumers.feed.stream-id=quotes").run(trader -> {
                assertThat(trader).hasNotFailed();
                @SuppressWarnings("unchecked")
                Consumer<Quote> feed = trader.getBean("feed", Consumer.class);
                assertThat(trader.getBeanProvider(org.springframework.core.ResolvableType.forClassWithGenerics(
                        Consumer.class, Quote.class)).getObject()).isSameAs(feed);
                // online at 2 consumers: the annotated method and the declared bean
                quotes.when().online().get(30, TimeUnit.SECONDS);
                quotes.send(new Quote("ACME", 1));
                quotes.send(new Quote("ACME", -1)); // the method throws on this one
                quotes.send(new Quote("ACME", 2));

                QuoteBook book = trader.getBean(QuoteBook.class);
                await().atMost(Duration.ofSeconds(20)).until(() -> book.received.size() == 2);
                assertThat(book.received).extracting(Quote::price).containsExactly(1L, 2L);
                assertThat(trader.getBean(SimpleMeterRegistry.class)
                        .get("mosaik.streams.consumer.handler.errors").counter().count()).isEqualTo(1);
                assertThat(feed.poll(Duration.ofSeconds(10))).contains(new Quote("ACME", 1));
                assertThat(feed.poll(Duration.ofSeconds(10))).contains(new Quote("ACME", -1));
            });
            // the trader context closed: its consumers went away with it
            quotes.when().unsubscribed().future().get(30, TimeUnit.SECONDS);
        });
    }

    @Test
    void anAnnotatedMethodWithTwoParametersStopsTheApplication() {
        runner.withUserConfiguration(TwoParameters.class).run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("@MosaikConsumer")
                    .hasMessageContaining("2 parameters");
        });
    }

    @Configuration(proxyBeanMethods = false)
    static class TwoParameters {
        @Bean
        Object wrong() {
            return new Object() {
                @MosaikConsumer
                void on(Quote quote, String extra) {
                }
            };
        }
    }
}
