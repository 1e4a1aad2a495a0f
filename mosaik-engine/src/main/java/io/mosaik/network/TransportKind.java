package io.mosaik.network;

import io.mosaik.network.transport.Transport;
import io.mosaik.network.transport.TransportConfig;
import io.mosaik.network.transport.quic.QuicTransport;
import io.mosaik.network.transport.tcp.TcpTransport;
import java.util.Locale;

/** The transports a {@link Network} can run on, selected by {@code mosaik.transport}. */
public enum TransportKind {
    /** QUIC through kwik on one UDP port. */
    QUIC,
    /** TLS 1.3 over TCP with the JDK's TLS, streams multiplexed on one connection per peer pair. */
    TCP;

    /** The default transport; see docs/transport.md for why. */
    public static final TransportKind DEFAULT = TCP;

    /**
     * Parses a configured name.
     *
     * @param name {@code quic} or {@code tcp}, any case
     * @return the kind
     * @throws IllegalArgumentException naming the allowed values
     */
    public static TransportKind parse(String name) {
        for (TransportKind kind : values()) {
            if (kind.configName().equalsIgnoreCase(name == null ? "" : name.strip())) {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown transport '" + name + "': use quic or tcp");
    }

    /** The name used in configuration. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Creates a transport of this kind.
     *
     * @param config           the transport's configuration
     * @param handshakeTimeout the longest an inbound TLS handshake may take
     */
    Transport create(TransportConfig config, java.time.Duration handshakeTimeout) {
        return switch (this) {
            case QUIC -> new QuicTransport(config);
            case TCP -> new TcpTransport(config, handshakeTimeout);
        };
    }
}
