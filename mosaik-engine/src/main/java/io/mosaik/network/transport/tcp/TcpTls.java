package io.mosaik.network.transport.tcp;

import io.mosaik.network.transport.TlsIdentity;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The JDK TLS 1.3 set-up of the tcp transport: mutual TLS with the node's {@link TlsIdentity} on both
 * sides, any peer certificate accepted (the layer above proves identity, bound to these keys), and
 * the handshake run under a deadline.
 */
final class TcpTls {

    private static final String[] PROTOCOLS = {"TLSv1.3"};
    /** AES-128-GCM first: hardware-accelerated and the cheapest of the TLS 1.3 suites. */
    private static final String[] CIPHER_SUITES = {
        "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"};

    private final SSLSocketFactory factory;
    private final byte[] localKey;
    private final ScheduledExecutorService timer;

    /**
     * The keys of an established connection, as both ends see them.
     *
     * @param serverKey the SubjectPublicKeyInfo of the TLS server's certificate
     * @param clientKey the SubjectPublicKeyInfo of the TLS client's certificate
     */
    record Keys(byte[] serverKey, byte[] clientKey) {
    }

    /**
     * Builds the TLS context.
     *
     * @param identity the local key and certificate
     * @param timer    where handshake deadlines are scheduled
     * @throws IllegalStateException if the JDK cannot provide TLS 1.3 with this key
     */
    TcpTls(TlsIdentity identity, ScheduledExecutorService timer) {
        this.timer = timer;
        // The key as the peer parses it from the certificate, so both ends report identical bytes.
        this.localKey = keyOf(identity.certificate());
        try {
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(identity.keyStore(), TlsIdentity.PASSWORD);
            SSLContext context = SSLContext.getInstance("TLSv1.3");
            context.init(keys.getKeyManagers(), new TrustManager[] {new AnyCertificate()}, new SecureRandom());
            // No resumption: every connection runs a full handshake, so both certificates are always
            // exchanged and the keys reported are those proven in this very handshake. Above the 7-day
            // ticket lifetime limit the JDK neither issues nor keeps TLS 1.3 session tickets.
            int noTickets = (int) Duration.ofDays(8).toSeconds();
            context.getServerSessionContext().setSessionTimeout(noTickets);
            context.getClientSessionContext().setSessionTimeout(noTickets);
            this.factory = context.getSocketFactory();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up TLS 1.3: " + e.getMessage(), e);
        }
    }

    /**
     * Layers a TLS client over a connected socket.
     *
     * @param plain  the connected TCP socket (closed with the TLS socket)
     * @param remote the dialed address
     * @return the TLS socket, handshake not started
     * @throws IOException if the socket cannot be layered
     */
    SSLSocket client(Socket plain, InetSocketAddress remote) throws IOException {
        SSLSocket socket = (SSLSocket) factory.createSocket(plain, remote.getHostString(), remote.getPort(), true);
        configure(socket, true);
        return socket;
    }

    /**
     * Layers a TLS server that requires a client certificate over an accepted socket.
     *
     * @param plain the accepted TCP socket (closed with the TLS socket)
     * @return the TLS socket, handshake not started
     * @throws IOException if the socket cannot be layered
     */
    SSLSocket server(Socket plain) throws IOException {
        SSLSocket socket = (SSLSocket) factory.createSocket(plain, null, true);
        configure(socket, false);
        socket.setNeedClientAuth(true);
        return socket;
    }

    /**
     * Runs the handshake; if it is not done within {@code timeout} the TCP socket is closed, which
     * aborts it (so a peer that connects and sends nothing cannot pin a thread and a socket).
     *
     * @param plain   the TCP socket under {@code socket}
     * @param socket  the TLS socket
     * @param timeout the deadline
     * @return the keys of both ends
     * @throws SocketTimeoutException if the deadline passed
     * @throws IOException            if the handshake failed
     */
    Keys handshake(Socket plain, SSLSocket socket, Duration timeout) throws IOException {
        AtomicBoolean expired = new AtomicBoolean();
        ScheduledFuture<?> guard;
        try {
            guard = timer.schedule(() -> {
                expired.set(true);
                closeQuietly(plain);
            }, Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            throw new IOException("transport closed", e);
        }
        try {
            socket.startHandshake();
            SSLSession session = socket.getSession();
            Certificate[] peer = session.getPeerCertificates();
            byte[] peerKey = keyOf(peer[0]);
            // Belt and braces for the no-resumption rule above.
            session.invalidate();
            if (expired.get()) {
                throw new SocketTimeoutException("TLS handshake not done within " + timeout);
            }
            return socket.getUseClientMode() ? new Keys(peerKey, localKey) : new Keys(localKey, peerKey);
        } catch (IOException e) {
            if (expired.get()) {
                throw new SocketTimeoutException("TLS handshake not done within " + timeout);
            }
            throw e;
        } finally {
            guard.cancel(false);
        }
    }

    /**
     * The one source of the keys reported by connections: the SubjectPublicKeyInfo encoding of a
     * certificate's public key, for the local certificate and the peer's alike.
     */
    static byte[] keyOf(Certificate certificate) {
        return certificate.getPublicKey().getEncoded();
    }

    /** Closes a socket, ignoring failures (used where nothing more can be done about one). */
    static void closeQuietly(Closeable socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing is best effort
        }
    }

    private static void configure(SSLSocket socket, boolean client) {
        socket.setUseClientMode(client);
        socket.setEnabledProtocols(PROTOCOLS);
        socket.setEnabledCipherSuites(supported(socket));
    }

    private static String[] supported(SSLSocket socket) {
        List<String> available = List.of(socket.getSupportedCipherSuites());
        return Arrays.stream(CIPHER_SUITES).filter(available::contains).toArray(String[]::new);
    }

    /**
     * Accepts every certificate chain: the peer proves its identity above the transport by signing
     * these TLS keys, so TLS only has to guarantee that the peer holds the key it presented (which the
     * handshake's CertificateVerify does). An empty chain is still refused.
     */
    private static final class AnyCertificate extends X509ExtendedTrustManager {

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            requireCertificate(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            requireCertificate(chain);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            requireCertificate(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            requireCertificate(chain);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            requireCertificate(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            requireCertificate(chain);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }

        private static void requireCertificate(X509Certificate[] chain) throws CertificateException {
            if (chain == null || chain.length == 0) {
                throw new CertificateException("the peer presented no certificate");
            }
        }
    }
}
