package io.mosaik.network.transport.tcp;

import io.mosaik.network.transport.TlsIdentity;
import io.mosaik.network.transport.TransportConfig;
import io.mosaik.network.transport.TransportConnection;
import io.mosaik.network.transport.TransportMetrics;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;

/**
 * Test fixture: transports and raw peers on loopback, all closed by {@link #close()}.
 */
final class TcpTestPeers implements AutoCloseable {

    /** The loopback address, port 0. */
    static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    /**
     * A connected pair of transports.
     *
     * @param server    the listening transport
     * @param client    the dialing transport
     * @param address   where the server listens
     * @param dialed    the client's end
     * @param accepted  the server's end
     */
    record Pair(TcpTransport server, TcpTransport client, InetSocketAddress address, TransportConnection dialed,
            TransportConnection accepted) {
    }

    /** A TLS socket completed by hand, for playing a misbehaving peer. */
    record RawTls(Socket plain, SSLSocket tls) {
    }

    /** A configuration with a fresh identity and the given limits. */
    static TransportConfig config(int maxFrameSize, Duration idleTimeout) {
        return new TransportConfig(TlsIdentity.generate(), maxFrameSize, idleTimeout, TransportMetrics.detached("tcp"));
    }

    /** A default configuration with a fresh identity. */
    static TransportConfig config() {
        return TransportConfig.defaults("tcp");
    }

    /** A transport closed with the fixture. */
    TcpTransport transport(TransportConfig config) {
        return transport(config, TcpTransport.DEFAULT_HANDSHAKE_TIMEOUT);
    }

    /** A transport with a handshake timeout, closed with the fixture. */
    TcpTransport transport(TransportConfig config, Duration handshakeTimeout) {
        TcpTransport transport = new TcpTransport(config, handshakeTimeout);
        resources.add(transport);
        return transport;
    }

    /** Two default transports, connected. */
    Pair pair() throws Exception {
        return pair(config(), config());
    }

    /** Two transports with these configurations, connected. */
    Pair pair(TransportConfig serverConfig, TransportConfig clientConfig) throws Exception {
        TcpTransport server = transport(serverConfig);
        TcpTransport client = transport(clientConfig);
        InetSocketAddress address = server.bind(LOOPBACK);
        CompletableFuture<TransportConnection> dialed = client.dial(address, Duration.ofSeconds(5));
        TransportConnection accepted = server.accept();
        return new Pair(server, client, address, dialed.get(5, TimeUnit.SECONDS), accepted);
    }

    /** A plain TCP socket to {@code address}, closed with the fixture. */
    Socket rawTcp(InetSocketAddress address) throws IOException {
        return rawTcp(address, 0);
    }

    /** A plain TCP socket to {@code address} with a receive buffer size (0: the default), closed with the fixture. */
    Socket rawTcp(InetSocketAddress address, int receiveBuffer) throws IOException {
        Socket socket = new Socket();
        resources.add(socket);
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.connect(address, 2000);
        return socket;
    }

    /** A plain listening socket on loopback, closed with the fixture. */
    ServerSocket rawListener() throws IOException {
        ServerSocket socket = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
        resources.add(socket);
        return socket;
    }

    /** A TLS client that completed the handshake with {@code address} and does nothing on its own. */
    RawTls rawTlsClient(InetSocketAddress address) throws IOException {
        return rawTlsClient(address, 0);
    }

    /** A raw TLS client with a receive buffer size (0: the default), for a peer that must not read much. */
    RawTls rawTlsClient(InetSocketAddress address, int receiveBuffer) throws IOException {
        Socket plain = rawTcp(address, receiveBuffer);
        TcpTls tls = new TcpTls(TlsIdentity.generate(), timer);
        SSLSocket socket = tls.client(plain, address);
        tls.handshake(plain, socket, Duration.ofSeconds(5));
        return new RawTls(plain, socket);
    }

    /** Completes the TLS handshake as a server on an accepted socket, then does nothing on its own. */
    RawTls rawTlsServer(Socket accepted) throws IOException {
        resources.add(accepted);
        TcpTls tls = new TcpTls(TlsIdentity.generate(), timer);
        SSLSocket socket = tls.server(accepted);
        tls.handshake(accepted, socket, Duration.ofSeconds(5));
        return new RawTls(accepted, socket);
    }

    /** A mux frame header. */
    static byte[] header(int type, int streamId, int length) {
        return ByteBuffer.allocate(MuxFrame.HEADER).put((byte) type).putInt(streamId).putInt(length).array();
    }

    /** Reads mux frames until a GOAWAY and returns its code. */
    static int readGoAwayCode(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        while (true) {
            byte type = data.readByte();
            data.readInt();
            int length = data.readInt();
            byte[] body = data.readNBytes(length);
            if (type == MuxFrame.GOAWAY) {
                return ByteBuffer.wrap(body).getInt();
            }
        }
    }

    @Override
    public void close() {
        for (AutoCloseable resource : resources.reversed()) {
            try {
                resource.close();
            } catch (Exception ignored) {
                // best effort
            }
        }
        timer.shutdownNow();
    }
}
