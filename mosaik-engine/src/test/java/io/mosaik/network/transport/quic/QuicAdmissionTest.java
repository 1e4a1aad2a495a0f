package io.mosaik.network.transport.quic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.mosaik.network.transport.CloseReason;
import io.mosaik.network.transport.FrameStream;
import io.mosaik.network.transport.LinkClosedException;
import io.mosaik.network.transport.TransportConfig;
import io.mosaik.network.transport.TransportConnection;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What remote nodes can make a QUIC transport hold, and the runtime it refuses. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class QuicAdmissionTest {

    private static final Duration DIAL = Duration.ofSeconds(10);

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable closeable : toClose.reversed()) {
            closeable.close();
        }
    }

    private <T extends AutoCloseable> T keep(T closeable) {
        toClose.add(closeable);
        return closeable;
    }

    private static TransportConfig config(Duration idle) {
        return QuicPair.config(TransportConfig.DEFAULT_MAX_FRAME_SIZE, idle);
    }

    private static InetSocketAddress loopback() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }

    @Test
    void runtimesBeforeJava24AreRefusedWithWhatToDo() {
        for (int feature : new int[] {21, 22, 23}) {
            assertThatThrownBy(() -> QuicTransport.requireJavaFeature(feature))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("needs Java 24 or newer")
                    .hasMessageContaining("Java " + feature)
                    .hasMessageContaining("JEP 491")
                    .hasMessageContaining("use mosaik.transport=tcp or run on a newer JDK");
        }
        assertThatCode(() -> QuicTransport.requireJavaFeature(24)).doesNotThrowAnyException();
        assertThatCode(() -> QuicTransport.requireJavaFeature(25)).doesNotThrowAnyException();
        // This runtime (25) is fine.
        assertThatCode(() -> new QuicTransport(config(TransportConfig.DEFAULT_IDLE_TIMEOUT)).close())
                .doesNotThrowAnyException();
    }

    @Test
    void connectionsOverThePendingAndOpenLimitsAreRefusedAndAcceptedAgainOnceOthersClose() throws Exception {
        QuicTransport server = keep(new QuicTransport(config(TransportConfig.DEFAULT_IDLE_TIMEOUT),
                new QuicTransport.Limits(16, 2, 3, Duration.ofSeconds(1))));
        QuicTransport client = keep(new QuicTransport(config(TransportConfig.DEFAULT_IDLE_TIMEOUT)));
        InetSocketAddress address = server.bind(loopback());

        // Nobody accepts: two wait for accept(), the others are refused right after their handshake.
        List<TransportConnection> dialed = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            dialed.add(client.dial(address, DIAL).get(DIAL.toSeconds() + 5, TimeUnit.SECONDS));
        }
        for (int i = 0; i < 3; i++) {
            assertRefused(client.dial(address, DIAL), "too many connections waiting to be accepted");
        }
        assertThat(dialed).allMatch(TransportConnection::isOpen);
        assertThat(server.inboundCount()).isEqualTo(2);

        TransportConnection first = acceptWithin(server);
        acceptWithin(server);
        CompletableFuture<TransportConnection> nothingMore = async(server::accept);
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> !nothingMore.isDone());

        // Taken by accept() but open: one more fits under the open limit (3), the next does not.
        TransportConnection third = client.dial(address, DIAL).get(DIAL.toSeconds() + 5, TimeUnit.SECONDS);
        assertThat(nothingMore.get(10, TimeUnit.SECONDS)).isNotNull();
        assertRefused(client.dial(address, DIAL), "too many open connections");
        assertThat(third.isOpen()).isTrue();
        assertThat(server.inboundCount()).isEqualTo(3);

        // Once they close, a legitimate dial is accepted and works.
        first.close(CloseReason.SUCCESS);
        dialed.get(1).close(CloseReason.SUCCESS);
        third.close(CloseReason.SUCCESS);
        await().atMost(Duration.ofSeconds(10)).until(() -> server.inboundCount() == 0);
        TransportConnection again = client.dial(address, DIAL).get(DIAL.toSeconds() + 5, TimeUnit.SECONDS);
        TransportConnection atServer = acceptWithin(server);
        FrameStream out = again.openStream(Duration.ofSeconds(5));
        out.send("still serving".getBytes(StandardCharsets.UTF_8));
        assertThat(atServer.acceptStream().receive()).isEqualTo("still serving".getBytes(StandardCharsets.UTF_8));
        assertThat(again.isOpen()).isTrue();
    }

    @Test
    void aHandshakeFloodIsCappedAndALegitimateDialGetsThroughAfterwards() throws Exception {
        int cap = 4;
        Duration idle = Duration.ofSeconds(2);
        QuicTransport server = keep(new QuicTransport(config(idle),
                new QuicTransport.Limits(cap, 256, 1024, Duration.ofSeconds(1))));
        QuicTransport client = keep(new QuicTransport(config(idle)));
        InetSocketAddress address = server.bind(loopback());
        // Warm up kwik so the flood's handshakes are not slowed by class loading.
        // (Accepted before the dialer closes: a close that overtakes the server's end of the handshake
        // ends the connection before it is ever handed to accept().)
        TransportConnection warm = client.dial(address, DIAL).get(DIAL.toSeconds() + 5, TimeUnit.SECONDS);
        acceptWithin(server).close(CloseReason.SUCCESS);
        warm.close(CloseReason.SUCCESS);
        HandshakeGate gate = server.handshakeGate();
        await().atMost(Duration.ofSeconds(10)).until(() -> gate.handshakesInFlight() == 0);
        long kwikServerThreadsBefore = kwikServerConnectionThreads();

        // Twice the cap of handshakes that never finish: each from its own source, whose answers are lost.
        List<CompletableFuture<TransportConnection>> flood = new ArrayList<>();
        for (int i = 0; i < 2 * cap; i++) {
            OneWayRelay relay = keep(new OneWayRelay(address));
            flood.add(client.dial(relay.address(), Duration.ofSeconds(1)));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> gate.refused() >= cap);
        assertThat(gate.handshakesInFlight()).isEqualTo(cap);
        // kwik built server connections (two named threads each) for the admitted handshakes only.
        assertThat(kwikServerConnectionThreads()).isLessThanOrEqualTo(kwikServerThreadsBefore + 2L * cap);
        for (CompletableFuture<TransportConnection> dial : flood) {
            assertThat(dial).failsWithin(Duration.ofSeconds(10));
        }
        assertThat(server.inboundCount()).isZero();

        // A legitimate dial gets through once the flood's slots expire (idle timeout + slack).
        TransportConnection legit = client.dial(address, Duration.ofSeconds(15)).get(20, TimeUnit.SECONDS);
        TransportConnection atServer = acceptWithin(server);
        assertThat(legit.isOpen()).isTrue();
        assertThat(atServer.isOpen()).isTrue();
        // The gate releases the slot when kwik reports the handshake done, which may come just after the
        // connection is handed out: the slot must be released, not necessarily already.
        await().atMost(Duration.ofSeconds(10)).until(() -> gate.handshakesInFlight() == 0);
    }

    /**
     * The dialer learns that the remote refused: the dial fails with the reason, or (when the refusal
     * arrives after the dialing side finished its handshake) the connection it got ends with it.
     */
    private static void assertRefused(CompletableFuture<TransportConnection> dial, String why) throws Exception {
        LinkClosedException refusal;
        try {
            TransportConnection connection = dial.get(DIAL.toSeconds() + 5, TimeUnit.SECONDS);
            assertThat(connection.closed().get(10, TimeUnit.SECONDS)).isEqualTo(CloseReason.CANCELLED);
            refusal = ((QuicTransportConnection) connection).awaitEnd(Duration.ZERO).exception();
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(LinkClosedException.class);
            refusal = (LinkClosedException) e.getCause();
        }
        assertThat(refusal.reason()).isEqualTo(CloseReason.CANCELLED);
        assertThat(refusal.remote()).isTrue();
        assertThat(refusal).hasMessageContaining(why);
    }

    private static TransportConnection acceptWithin(QuicTransport server) throws Exception {
        return async(server::accept).get(DIAL.toSeconds(), TimeUnit.SECONDS);
    }

    /** kwik names a server connection's receiver and sender threads after its connection id (hex). */
    private static long kwikServerConnectionThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.getName().matches("(receiver|sender)-[0-9a-f]{8,}"))
                .count();
    }

    private static <T> CompletableFuture<T> async(java.util.concurrent.Callable<T> task) {
        CompletableFuture<T> future = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                future.complete(task.call());
            } catch (Throwable e) {
                future.completeExceptionally(e);
            }
        });
        return future;
    }

    /**
     * Forwards a client's datagrams to the server from a source port of its own, and nothing back: the
     * server sees a handshake from a new address that never completes, like one from a spoofed address.
     */
    private static final class OneWayRelay implements AutoCloseable {
        private final DatagramSocket front;
        private final DatagramSocket back;

        OneWayRelay(InetSocketAddress target) throws IOException {
            front = new DatagramSocket(loopback());
            back = new DatagramSocket(loopback());
            back.connect(target);
            Thread.ofVirtual().name("one-way-relay").start(() -> {
                byte[] buffer = new byte[65_535];
                while (!front.isClosed()) {
                    try {
                        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                        front.receive(packet);
                        back.send(new DatagramPacket(packet.getData(), packet.getOffset(), packet.getLength()));
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }

        InetSocketAddress address() {
            return (InetSocketAddress) front.getLocalSocketAddress();
        }

        @Override
        public void close() {
            front.close();
            back.close();
        }
    }
}
