package io.mosaik.network.transport;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * The meters a transport reports to, all tagged with the transport's name.
 *
 * <ul>
 *   <li>{@code mosaik.network.ingress.bytes} / {@code mosaik.network.egress.bytes}: frame bytes
 *       read and written on streams (headers included);</li>
 *   <li>{@code mosaik.network.streams.stalls.detected}: streams that made no progress while data was
 *       waiting to be sent;</li>
 *   <li>{@code mosaik.network.streams.stalls.rearmed}: of those, the ones re-armed;</li>
 *   <li>{@code mosaik.network.handshakes.failed} (tag {@code reason} = tls|busy): inbound connections
 *       dropped before they were secured, because the TLS handshake failed (garbage, a port scanner, a
 *       timeout) or because too many were in progress.</li>
 * </ul>
 */
public final class TransportMetrics {

    private final Counter ingress;
    private final Counter egress;
    private final Counter stallsDetected;
    private final Counter stallsRearmed;
    private final Counter handshakesFailedTls;
    private final Counter handshakesFailedBusy;

    /**
     * Registers the meters.
     *
     * @param registry  where to register
     * @param transport the transport's name, used as the {@code transport} tag
     */
    public TransportMetrics(MeterRegistry registry, String transport) {
        this.ingress = Counter.builder("mosaik.network.ingress.bytes").baseUnit("bytes")
                .description("Bytes read from streams").tag("transport", transport).register(registry);
        this.egress = Counter.builder("mosaik.network.egress.bytes").baseUnit("bytes")
                .description("Bytes written to streams").tag("transport", transport).register(registry);
        this.stallsDetected = Counter.builder("mosaik.network.streams.stalls.detected")
                .description("Streams seen making no progress with data waiting to be sent")
                .tag("transport", transport).register(registry);
        this.stallsRearmed = Counter.builder("mosaik.network.streams.stalls.rearmed")
                .description("Stalled streams re-armed by a NOOP frame")
                .tag("transport", transport).register(registry);
        this.handshakesFailedTls = handshakesFailed(registry, transport, "tls");
        this.handshakesFailedBusy = handshakesFailed(registry, transport, "busy");
    }

    private static Counter handshakesFailed(MeterRegistry registry, String transport, String reason) {
        return Counter.builder("mosaik.network.handshakes.failed")
                .description("Inbound connections dropped before they were secured")
                .tag("transport", transport).tag("reason", reason).register(registry);
    }

    /** Counts an inbound connection whose TLS handshake failed. */
    public void handshakeFailed() {
        handshakesFailedTls.increment();
    }

    /** Counts an inbound connection dropped because too many were in progress or waiting. */
    public void handshakeRefusedBusy() {
        handshakesFailedBusy.increment();
    }

    /** Meters registered nowhere that matters (for tests and tools). */
    public static TransportMetrics detached(String transport) {
        return new TransportMetrics(new SimpleMeterRegistry(), transport);
    }

    /** Counts bytes read from the wire. */
    public void received(long bytes) {
        ingress.increment(bytes);
    }

    /** Counts bytes written to the wire. */
    public void sent(long bytes) {
        egress.increment(bytes);
    }

    /** Counts a stall seen by a watchdog. */
    public void stallDetected() {
        stallsDetected.increment();
    }

    /** Counts a stall re-armed by a watchdog. */
    public void stallRearmed() {
        stallsRearmed.increment();
    }

    /** Total stalls detected so far. */
    public long stallsDetected() {
        return (long) stallsDetected.count();
    }

    /** Total stalls re-armed so far. */
    public long stallsRearmed() {
        return (long) stallsRearmed.count();
    }
}
