package io.mosaik.network.transport;

import java.time.Duration;
import java.util.Objects;

/**
 * What every transport needs to start.
 *
 * @param tls          the TLS key and certificate presented on the wire
 * @param maxFrameSize the largest frame body accepted from a peer, in bytes
 * @param idleTimeout  a connection that carries nothing (not even keep-alives) for this long is
 *                     considered dead and closed; keep-alives are sent well within it
 * @param metrics      where the transport reports bytes and stalls
 */
public record TransportConfig(TlsIdentity tls, int maxFrameSize, Duration idleTimeout, TransportMetrics metrics) {

    /** The default maximum frame size: 4 MiB. */
    public static final int DEFAULT_MAX_FRAME_SIZE = 4 * 1024 * 1024;
    /** The default idle timeout: 10 s. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(10);

    /** Validates the components. */
    public TransportConfig {
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(metrics, "metrics");
        if (maxFrameSize < 1024) {
            throw new IllegalArgumentException("maxFrameSize must be at least 1024 bytes, was " + maxFrameSize);
        }
        if (idleTimeout.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("idleTimeout must be at least 1s, was " + idleTimeout);
        }
    }

    /** A configuration with a fresh TLS identity and the defaults, for tests and tools. */
    public static TransportConfig defaults(String transport) {
        return new TransportConfig(TlsIdentity.generate(), DEFAULT_MAX_FRAME_SIZE, DEFAULT_IDLE_TIMEOUT,
                TransportMetrics.detached(transport));
    }
}
