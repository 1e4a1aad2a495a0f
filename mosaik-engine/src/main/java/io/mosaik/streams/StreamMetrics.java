package io.mosaik.streams;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.ConcurrentHashMap;

/** The meters of one stream on one node (spec §3.10), tagged {@code stream=<name>}. */
final class StreamMetrics {

    final Counter itemsSent;
    final Counter bytesSent;
    final Counter itemsDropped;
    final Counter consumersAccepted;
    final Counter itemsReceived;
    final Counter bytesReceived;
    final Counter itemsUndecodable;
    final Counter datumsTotal;
    final Counter bytesTotal;
    private final MeterRegistry registry;
    private final String stream;
    private final ConcurrentHashMap<String, Counter> rejected = new ConcurrentHashMap<>();

    StreamMetrics(MeterRegistry registry, StreamId id) {
        this.registry = registry;
        this.stream = id.shortName();
        itemsSent = counter("mosaik.streams.producer.items.sent", "Datums queued to a subscription");
        bytesSent = counter("mosaik.streams.producer.bytes.sent", "Payload bytes queued to a subscription");
        itemsDropped = counter("mosaik.streams.producer.items.dropped",
                "Datums not queued because a subscription's queue was full (slow consumer)");
        consumersAccepted = counter("mosaik.streams.producer.consumers.accepted", "Subscriptions accepted");
        itemsReceived = counter("mosaik.streams.consumer.items.received", "Datums taken by the application");
        bytesReceived = counter("mosaik.streams.consumer.bytes.received", "Payload bytes taken by the application");
        itemsUndecodable = counter("mosaik.streams.consumer.items.undecodable",
                "Datums that did not decode into the consumer's type (skipped)");
        datumsTotal = Counter.builder("mosaik.streams.datums.total").description("Datums through any channel")
                .register(registry);
        bytesTotal = Counter.builder("mosaik.streams.bytes.total").description("Payload bytes through any channel")
                .register(registry);
    }

    Counter consumersRejected(String reason) {
        return rejected.computeIfAbsent(reason, key -> Counter.builder("mosaik.streams.producer.consumers.rejected")
                .description("Subscriptions refused").tag("stream", stream).tag("reason", key).register(registry));
    }

    private Counter counter(String name, String description) {
        return Counter.builder(name).description(description).tag("stream", stream).register(registry);
    }
}
