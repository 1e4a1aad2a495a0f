package io.mosaik.network.transport.quic;

import io.mosaik.network.transport.TlsIdentity;
import io.mosaik.network.transport.TransportConfig;
import java.net.InetSocketAddress;
import java.time.Duration;
import tech.kwik.core.QuicClientConnection;
import tech.kwik.core.log.NullLogger;
import tech.kwik.core.server.ServerConnectionConfig;

/**
 * The kwik settings both ends of a mosaik QUIC connection use.
 *
 * <p>Stream and window limits are generous: stream credit is what {@code openStream} waits for, and the
 * research measurements (1 MB per stream, 10 MB per connection) gave kwik's best bulk rates; larger
 * windows did not help.
 */
final class KwikSettings {

    /** The one application protocol: mosaik multiplexes everything on streams of one connection. */
    static final String ALPN = "mosaik/1";
    /** Concurrent bidirectional streams each side lets the other open. */
    static final int MAX_PEER_STREAMS = 1000;
    /** The receive window of one stream, in bytes. */
    static final long STREAM_WINDOW = 1_000_000;
    /** The receive window of a connection, in bytes (kwik's client derives the same 10x itself). */
    static final long CONNECTION_WINDOW = 10 * STREAM_WINDOW;
    /**
     * The smallest idle timeout given to kwik: its keep-alive pings every {@code idle / 2} seconds,
     * rounded down to whole seconds, so an idle timeout under 2 s would make it ping in a busy loop.
     */
    static final Duration MIN_IDLE_TIMEOUT = Duration.ofSeconds(2);
    /** Keep-alive duration asked from kwik: for the life of the connection. */
    static final int KEEP_ALIVE_SECONDS = Integer.MAX_VALUE;

    private KwikSettings() {
    }

    /** The idle timeout handed to kwik for {@code config}. */
    static Duration idleTimeout(TransportConfig config) {
        Duration idle = config.idleTimeout();
        return idle.compareTo(MIN_IDLE_TIMEOUT) < 0 ? MIN_IDLE_TIMEOUT : idle;
    }

    /** The server side's connection settings. */
    static ServerConnectionConfig server(TransportConfig config) {
        return ServerConnectionConfig.builder()
                .maxIdleTimeout((int) Math.min(Integer.MAX_VALUE, idleTimeout(config).toMillis()))
                .maxOpenPeerInitiatedBidirectionalStreams(MAX_PEER_STREAMS)
                .maxOpenPeerInitiatedUnidirectionalStreams(0)
                .maxBidirectionalStreamBufferSize(STREAM_WINDOW)
                .maxConnectionBufferSize(CONNECTION_WINDOW)
                // Address validation stays off: in kwik 0.10.9 a connection that sent a Retry never starts
                // its idle timer, so every Retry left unanswered (any spoofed Initial) keeps its platform
                // threads for ever. Handshakes are capped in front of kwik instead (HandshakeGate).
                .retryRequired(ServerConnectionConfig.RetryRequired.Never)
                .build();
    }

    /**
     * A client connection to {@code address}.
     *
     * <p>The server certificate is not checked here: the layer above proves the peer's identity over the
     * connection, binding it to the server key this connection reports. agent15 still verifies that the
     * server holds the certificate's private key (CertificateVerify) before the handshake completes.
     */
    static QuicClientConnection.Builder client(TransportConfig config, InetSocketAddress address, Duration timeout) {
        return QuicClientConnection.newBuilder()
                .applicationProtocol(ALPN)
                .host(TlsIdentity.SERVER_NAME)
                .proxy(address.isUnresolved() ? address.getHostString() : address.getAddress().getHostAddress())
                .port(address.getPort())
                .noServerCertificateCheck()
                .connectTimeout(timeout)
                .maxIdleTimeout(idleTimeout(config))
                .maxOpenPeerInitiatedBidirectionalStreams(MAX_PEER_STREAMS)
                .maxOpenPeerInitiatedUnidirectionalStreams(0)
                .defaultStreamReceiveBufferSize(STREAM_WINDOW)
                .logger(new NullLogger());
    }
}
