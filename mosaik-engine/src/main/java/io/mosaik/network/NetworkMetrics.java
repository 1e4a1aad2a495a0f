package io.mosaik.network;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.mosaik.network.transport.CloseReason;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The network's meters, named so that operators can guess them.
 *
 * <ul>
 *   <li>{@code mosaik.network.connections.opened} (tag {@code direction} = inbound|outbound),
 *       {@code mosaik.network.connections.closed} (tag {@code reason}),
 *       {@code mosaik.network.connections.current}: authenticated peer connections;</li>
 *   <li>{@code mosaik.network.links.opened} (tag {@code direction}): protocol links;</li>
 *   <li>{@code mosaik.network.frames.rejected} (tag {@code reason} = oversized|malformed|undecodable|
 *       unknown-protocol): frames that closed a link with a protocol violation;</li>
 *   <li>{@code mosaik.network.peers.rejected} (tag {@code reason}): connections refused before any
 *       protocol saw them (failed proof, other network, wrong peer, timeout).</li>
 * </ul>
 */
final class NetworkMetrics {

    private final MeterRegistry registry;
    private final AtomicInteger current = new AtomicInteger();

    NetworkMetrics(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("mosaik.network.connections.current", current, AtomicInteger::get)
                .description("Authenticated peer connections open now").register(registry);
    }

    void connectionOpened(boolean inbound) {
        current.incrementAndGet();
        counter("mosaik.network.connections.opened", "direction", inbound ? "inbound" : "outbound").increment();
    }

    void connectionClosed(CloseReason reason) {
        current.decrementAndGet();
        counter("mosaik.network.connections.closed", "reason", reason.name()).increment();
    }

    void linkOpened(boolean inbound) {
        counter("mosaik.network.links.opened", "direction", inbound ? "inbound" : "outbound").increment();
    }

    void frameRejected(String reason) {
        counter("mosaik.network.frames.rejected", "reason", reason).increment();
    }

    void peerRejected(CloseReason reason) {
        counter("mosaik.network.peers.rejected", "reason", reason.name()).increment();
    }

    private Counter counter(String name, String tagKey, String tagValue) {
        return Counter.builder(name).tag(tagKey, tagValue).register(registry);
    }
}
