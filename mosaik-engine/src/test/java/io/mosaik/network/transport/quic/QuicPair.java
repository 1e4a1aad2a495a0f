package io.mosaik.network.transport.quic;

import io.mosaik.network.transport.TlsIdentity;
import io.mosaik.network.transport.TransportConfig;
import io.mosaik.network.transport.TransportConnection;
import io.mosaik.network.transport.TransportMetrics;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Two QUIC transports on the loopback interface and one connection between them: {@link #client}
 * dialed {@link #server}, which accepted it.
 */
final class QuicPair implements AutoCloseable {

    /** Generous: the first QUIC handshake after JVM start can take seconds. */
    static final Duration DIAL_TIMEOUT = Duration.ofSeconds(20);

    final QuicTransport serverTransport;
    final QuicTransport clientTransport;
    final TransportConfig serverConfig;
    final TransportConfig clientConfig;
    final InetSocketAddress serverAddress;
    final TransportConnection client;
    final TransportConnection server;

    private QuicPair(TransportConfig serverConfig, TransportConfig clientConfig) throws Exception {
        this.serverConfig = serverConfig;
        this.clientConfig = clientConfig;
        this.serverTransport = new QuicTransport(serverConfig);
        this.clientTransport = new QuicTransport(clientConfig);
        this.serverAddress = serverTransport.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        CompletableFuture<TransportConnection> accepted = CompletableFuture.supplyAsync(() -> {
            try {
                return serverTransport.accept();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, runnable -> Thread.ofVirtual().start(runnable));
        this.client = clientTransport.dial(serverAddress, DIAL_TIMEOUT).get(DIAL_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS);
        this.server = accepted.get(DIAL_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS);
    }

    /** A pair with default configurations. */
    static QuicPair start() throws Exception {
        return start(config(TransportConfig.DEFAULT_MAX_FRAME_SIZE, TransportConfig.DEFAULT_IDLE_TIMEOUT),
                config(TransportConfig.DEFAULT_MAX_FRAME_SIZE, TransportConfig.DEFAULT_IDLE_TIMEOUT));
    }

    /** A pair with the given configurations. */
    static QuicPair start(TransportConfig serverConfig, TransportConfig clientConfig) throws Exception {
        return new QuicPair(serverConfig, clientConfig);
    }

    /** A configuration with a fresh identity and its own metrics. */
    static TransportConfig config(int maxFrameSize, Duration idleTimeout) {
        return new TransportConfig(TlsIdentity.generate(), maxFrameSize, idleTimeout, TransportMetrics.detached("quic"));
    }

    @Override
    public void close() {
        clientTransport.close();
        serverTransport.close();
    }
}
