package io.mosaik.network.transport.quic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.mosaik.network.transport.CloseReason;
import io.mosaik.network.transport.FrameStream;
import io.mosaik.network.transport.FrameTooLargeException;
import io.mosaik.network.transport.LinkClosedException;
import io.mosaik.network.transport.TransportConfig;
import io.mosaik.network.transport.TransportConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class QuicTransportTest {

    private static final Duration OPEN_TIMEOUT = Duration.ofSeconds(5);

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable closeable : toClose.reversed()) {
            closeable.close();
        }
    }

    private QuicPair pair() throws Exception {
        return keep(QuicPair.start());
    }

    private <T extends AutoCloseable> T keep(T closeable) {
        toClose.add(closeable);
        return closeable;
    }

    private static <T> CompletableFuture<T> async(Callable<T> task) {
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

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * kwik 0.10.9's loss detector asserts a positive loss delay, which sub-millisecond loopback RTTs
     * break: with assertions on, a connection now and then aborted and went silent until both ends idled
     * out (about 1 in 20 runs of a three-node test on a busy machine). Test JVMs run with -ea.
     */
    @Test
    void kwikRunsWithoutItsAssertionsEvenInAJvmWithAssertionsOn() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(QuicTransportTest.class.desiredAssertionStatus(),
                "this JVM runs without -ea, so kwik's assertions are off anyway");
        QuicPair pair = pair();
        FrameStream stream = pair.client.openStream(OPEN_TIMEOUT);
        stream.send("hello".getBytes(StandardCharsets.UTF_8));
        assertThat(pair.server.acceptStream().receive()).asString(StandardCharsets.UTF_8).isEqualTo("hello");

        Class<?> lossDetector = Class.forName("tech.kwik.core.recovery.LossDetector", false,
                tech.kwik.core.server.ServerConnector.class.getClassLoader());
        assertThat(lossDetector.desiredAssertionStatus()).isFalse();
    }

    @Test
    void dialedAndAcceptedConnectionsDescribeBothEnds() throws Exception {
        QuicPair pair = pair();

        assertThat(pair.client.initiator()).isTrue();
        assertThat(pair.server.initiator()).isFalse();
        assertThat(pair.client.remoteAddress()).isEqualTo(pair.serverAddress);
        assertThat(pair.server.remoteAddress().getAddress().isLoopbackAddress()).isTrue();
        assertThat(pair.client.serverTlsKey())
                .isEqualTo(pair.server.serverTlsKey())
                .isEqualTo(pair.serverConfig.tls().publicKeyInfo())
                .isEqualTo(pair.serverConfig.tls().certificate().getPublicKey().getEncoded());
        assertThat(pair.client.clientTlsKey()).isEmpty();
        assertThat(pair.server.clientTlsKey()).isEmpty();
        assertThat(pair.client.isOpen()).isTrue();
        assertThat(pair.serverTransport.name()).isEqualTo("quic");
    }

    @Test
    void framesFlowBothWaysOnStreamsOpenedByEitherSide() throws Exception {
        QuicPair pair = pair();

        FrameStream fromClient = pair.client.openStream(OPEN_TIMEOUT);
        fromClient.send(utf8("ping"));
        FrameStream atServer = pair.server.acceptStream();
        assertThat(atServer.receive()).isEqualTo(utf8("ping"));
        atServer.send(utf8("pong"));
        atServer.send(new byte[0]);
        assertThat(fromClient.receive()).isEqualTo(utf8("pong"));
        assertThat(fromClient.receive()).isEmpty();

        // The accepting side opens one too, and the dialer sees it before any payload (announced).
        FrameStream fromServer = pair.server.openStream(OPEN_TIMEOUT);
        FrameStream atClient = pair.client.acceptStream();
        CompletableFuture<byte[]> firstAtServer = async(fromServer::receive);
        atClient.send(utf8("hello server"));
        assertThat(firstAtServer.get(10, TimeUnit.SECONDS)).isEqualTo(utf8("hello server"));
        fromServer.send(utf8("hello client"));
        assertThat(atClient.receive()).isEqualTo(utf8("hello client"));
    }

    @Test
    void largeFramesArriveWhole() throws Exception {
        QuicPair pair = pair();
        byte[] large = new byte[3 * 1024 * 1024 + 17];
        new Random(7).nextBytes(large);

        FrameStream out = pair.client.openStream(OPEN_TIMEOUT);
        FrameStream in = pair.server.acceptStream();
        CompletableFuture<byte[]> received = async(in::receive);
        out.send(large);
        out.send(utf8("after"));

        assertThat(received.get(30, TimeUnit.SECONDS)).isEqualTo(large);
        assertThat(in.receive()).isEqualTo(utf8("after"));
        assertThat(pair.clientConfig.metrics()).isNotNull();
    }

    @Test
    void payloadsSentTogetherArriveInOrderEachAsItsOwnFrame() throws Exception {
        QuicPair pair = pair();
        FrameStream out = pair.client.openStream(OPEN_TIMEOUT);
        FrameStream in = pair.server.acceptStream();
        java.util.List<byte[]> payloads = new java.util.ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            payloads.add(utf8("payload " + i)); // several packed writes of whole frames
        }
        payloads.add(new byte[100_000]); // alone, in pieces
        payloads.add(utf8("last"));
        CompletableFuture<Void> sent = async(() -> {
            out.sendAll(payloads);
            return null;
        });
        for (byte[] payload : payloads) {
            assertThat(in.receive()).isEqualTo(payload);
        }
        sent.get(30, TimeUnit.SECONDS);
    }

    @Test
    void manyConcurrentStreamsEchoIndependently() throws Exception {
        QuicPair pair = pair();
        int streams = 100;
        int rounds = 20;
        Thread.ofVirtual().start(() -> {
            try {
                while (true) {
                    FrameStream stream = pair.server.acceptStream();
                    Thread.ofVirtual().start(() -> {
                        try {
                            while (true) {
                                stream.send(stream.receive());
                            }
                        } catch (Exception e) {
                            stream.close();
                        }
                    });
                }
            } catch (Exception e) {
                // connection closed at the end of the test
            }
        });

        List<CompletableFuture<Integer>> callers = new ArrayList<>();
        for (int s = 0; s < streams; s++) {
            int id = s;
            callers.add(async(() -> {
                FrameStream stream = pair.client.openStream(OPEN_TIMEOUT);
                for (int r = 0; r < rounds; r++) {
                    byte[] message = ByteBuffer.allocate(8).putInt(id).putInt(r).array();
                    stream.send(message);
                    if (!Arrays.equals(stream.receive(), message)) {
                        throw new AssertionError("stream " + id + " got a foreign echo in round " + r);
                    }
                }
                stream.close();
                return rounds;
            }));
        }
        int total = 0;
        for (CompletableFuture<Integer> caller : callers) {
            total += caller.get(45, TimeUnit.SECONDS);
        }
        assertThat(total).isEqualTo(streams * rounds);
    }

    @Test
    void theRemoteSeesTheReasonOfAClosedStream() throws Exception {
        QuicPair pair = pair();
        FrameStream local = pair.client.openStream(OPEN_TIMEOUT);
        FrameStream remote = pair.server.acceptStream();
        local.send(utf8("last words"));

        local.close(CloseReason.AUTHENTICATION_FAILED);

        assertThat(remote.receive()).isEqualTo(utf8("last words"));
        assertThatThrownBy(remote::receive)
                .isInstanceOfSatisfying(LinkClosedException.class, e -> {
                    assertThat(e.reason()).isEqualTo(CloseReason.AUTHENTICATION_FAILED);
                    assertThat(e.remote()).isTrue();
                });
        assertThat(remote.isOpen()).isFalse();
        assertThatThrownBy(() -> remote.send(utf8("too late")))
                .isInstanceOfSatisfying(LinkClosedException.class,
                        e -> assertThat(e.reason()).isEqualTo(CloseReason.AUTHENTICATION_FAILED));
        assertThat(local.isOpen()).isFalse();
        assertThatThrownBy(local::receive)
                .isInstanceOfSatisfying(LinkClosedException.class, e -> {
                    assertThat(e.reason()).isEqualTo(CloseReason.AUTHENTICATION_FAILED);
                    assertThat(e.remote()).isFalse();
                });
        // Both directions end, so kwik releases the stream on both sides.
        QuicTransportConnection server = (QuicTransportConnection) pair.server;
        QuicTransportConnection client = (QuicTransportConnection) pair.client;
        await().atMost(Duration.ofSeconds(10)).until(() -> server.streamCount() == 0 && client.streamCount() == 0);
    }

    @Test
    void closeUnblocksALocalReceive() throws Exception {
        QuicPair pair = pair();
        FrameStream stream = pair.client.openStream(OPEN_TIMEOUT);
        CompletableFuture<byte[]> blocked = async(stream::receive);
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> !blocked.isDone());

        stream.close(CloseReason.SUCCESS);

        assertThat(blocked).failsWithin(Duration.ofSeconds(5)).withThrowableThat()
                .havingCause().isInstanceOfSatisfying(LinkClosedException.class, e -> {
                    assertThat(e.reason()).isEqualTo(CloseReason.SUCCESS);
                    assertThat(e.remote()).isFalse();
                });
        stream.close(CloseReason.CANCELLED); // idempotent
    }

    @Test
    void closeUnblocksASendStuckOnAPeerThatDoesNotRead() throws Exception {
        QuicPair pair = pair();
        FrameStream stream = pair.client.openStream(OPEN_TIMEOUT);
        CompletableFuture<Void> sender = stuckSender(pair, stream);

        long started = System.nanoTime();
        stream.close(CloseReason.CANCELLED);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(1));

        expectCancelled(sender);
        assertThat(pair.client.isOpen()).isTrue();
    }

    /**
     * The closer waits for a stuck sender's lock as long as the close deadline, whose reset frees the
     * sender; the closer then cancels the deadline. When the deadline's thread runs late (a busy machine),
     * the closer gives up first: it must reset the stream itself, or the deadline it cancels never does,
     * and the sender stays blocked for good.
     */
    @Test
    void closeUnblocksAStuckSendEvenWhenTheCloseDeadlineRunsLate() throws Exception {
        QuicPair pair = pair();
        FrameStream stream = pair.client.openStream(OPEN_TIMEOUT);
        CompletableFuture<Void> sender = stuckSender(pair, stream);
        // the thread that runs the deadline is busy from before it is due until 2 s after
        java.util.concurrent.CountDownLatch busy = new java.util.concurrent.CountDownLatch(1);
        pair.clientTransport.watchdog().scheduler().schedule(() -> busy.await(4, TimeUnit.SECONDS),
                QuicFrameStream.CLOSE_DEADLINE.toMillis() - 500, TimeUnit.MILLISECONDS);
        try {
            stream.close(CloseReason.CANCELLED);
            expectCancelled(sender);
        } finally {
            busy.countDown();
        }
    }

    /** Starts a sender on a stream the peer accepts but never reads, and waits until flow control blocks it. */
    private static CompletableFuture<Void> stuckSender(QuicPair pair, FrameStream stream) throws Exception {
        pair.server.acceptStream(); // accepted, never read: flow control fills up
        AtomicLong sent = new AtomicLong();
        CompletableFuture<Void> sender = async(() -> {
            byte[] chunk = new byte[64 * 1024];
            while (true) {
                stream.send(chunk);
                sent.incrementAndGet();
            }
        });
        // The stream window is 1 MB: the sender blocks after about 17 frames.
        await().atMost(Duration.ofSeconds(20)).until(() -> sent.get() >= 16);
        AtomicLong lastSeen = new AtomicLong(-1);
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(20)).until(() -> {
            long now = sent.get();
            return lastSeen.getAndSet(now) == now && !sender.isDone();
        });
        return sender;
    }

    private static void expectCancelled(CompletableFuture<Void> sender) {
        assertThat(sender).failsWithin(Duration.ofSeconds(10)).withThrowableThat()
                .havingCause().isInstanceOfSatisfying(LinkClosedException.class, e -> {
                    assertThat(e.reason()).isEqualTo(CloseReason.CANCELLED);
                    assertThat(e.remote()).isFalse();
                });
    }

    @Test
    void openStreamGivesUpWithoutCreditAndSucceedsOnceAStreamIsReleased() throws Exception {
        QuicPair pair = pair();
        List<FrameStream> accepted = new java.util.concurrent.CopyOnWriteArrayList<>();
        Thread.ofVirtual().start(() -> {
            try {
                while (true) {
                    FrameStream stream = pair.server.acceptStream();
                    accepted.add(stream);
                    Thread.ofVirtual().start(() -> {
                        try {
                            while (true) {
                                stream.receive();
                            }
                        } catch (Exception e) {
                            stream.close();
                        }
                    });
                }
            } catch (Exception e) {
                // connection closed at the end of the test
            }
        });
        List<FrameStream> open = new ArrayList<>();
        for (int i = 0; i < KwikSettings.MAX_PEER_STREAMS; i++) {
            open.add(pair.client.openStream(OPEN_TIMEOUT));
        }

        long started = System.nanoTime();
        assertThatThrownBy(() -> pair.client.openStream(Duration.ofMillis(300)))
                .isInstanceOf(java.io.IOException.class)
                .isNotInstanceOf(LinkClosedException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));

        open.getFirst().close(CloseReason.SUCCESS);
        FrameStream another = pair.client.openStream(Duration.ofSeconds(10));
        another.send(utf8("fits again"));
        await().atMost(Duration.ofSeconds(10)).until(() -> accepted.size() == KwikSettings.MAX_PEER_STREAMS + 1);
    }

    @Test
    void anOversizedFrameIsRefusedByTheReceiver() throws Exception {
        TransportConfig small = QuicPair.config(1024, TransportConfig.DEFAULT_IDLE_TIMEOUT);
        QuicPair pair = keep(QuicPair.start(small,
                QuicPair.config(TransportConfig.DEFAULT_MAX_FRAME_SIZE, TransportConfig.DEFAULT_IDLE_TIMEOUT)));
        FrameStream out = pair.client.openStream(OPEN_TIMEOUT);
        FrameStream in = pair.server.acceptStream();

        out.send(new byte[1024]);
        out.send(new byte[2000]);

        assertThat(in.receive()).hasSize(1024);
        assertThatThrownBy(in::receive).isInstanceOfSatisfying(FrameTooLargeException.class, e -> {
            assertThat(e.size()).isEqualTo(2000);
            assertThat(e.limit()).isEqualTo(1024);
        });
        in.close(CloseReason.PROTOCOL_VIOLATION);
        assertThatThrownBy(out::receive).isInstanceOfSatisfying(LinkClosedException.class,
                e -> assertThat(e.reason()).isEqualTo(CloseReason.PROTOCOL_VIOLATION));
    }

    @Test
    void closingAConnectionUnblocksReceiveAndAcceptStreamOnBothSides() throws Exception {
        QuicPair pair = pair();
        FrameStream clientStream = pair.client.openStream(OPEN_TIMEOUT);
        FrameStream serverStream = pair.server.acceptStream();
        CompletableFuture<byte[]> serverReceive = async(serverStream::receive);
        CompletableFuture<FrameStream> serverAccept = async(pair.server::acceptStream);
        CompletableFuture<byte[]> clientReceive = async(clientStream::receive);
        CompletableFuture<FrameStream> clientAccept = async(pair.client::acceptStream);
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2))
                .until(() -> !serverReceive.isDone() && !serverAccept.isDone());

        pair.client.close(CloseReason.GRACEFUL_SHUTDOWN);

        for (CompletableFuture<?> remoteCall : List.of(serverReceive, serverAccept)) {
            assertThat(remoteCall).failsWithin(Duration.ofSeconds(10)).withThrowableThat()
                    .havingCause().isInstanceOfSatisfying(LinkClosedException.class, e -> {
                        assertThat(e.reason()).isEqualTo(CloseReason.GRACEFUL_SHUTDOWN);
                        assertThat(e.remote()).isTrue();
                    });
        }
        for (CompletableFuture<?> localCall : List.of(clientReceive, clientAccept)) {
            assertThat(localCall).failsWithin(Duration.ofSeconds(10)).withThrowableThat()
                    .havingCause().isInstanceOfSatisfying(LinkClosedException.class, e -> {
                        assertThat(e.reason()).isEqualTo(CloseReason.GRACEFUL_SHUTDOWN);
                        assertThat(e.remote()).isFalse();
                    });
        }
        assertThat(pair.server.closed().get(5, TimeUnit.SECONDS)).isEqualTo(CloseReason.GRACEFUL_SHUTDOWN);
        assertThat(pair.client.closed().get(5, TimeUnit.SECONDS)).isEqualTo(CloseReason.GRACEFUL_SHUTDOWN);
        assertThatThrownBy(() -> pair.client.openStream(OPEN_TIMEOUT)).isInstanceOf(LinkClosedException.class);
        assertThatThrownBy(() -> clientStream.send(utf8("x"))).isInstanceOf(LinkClosedException.class);
        pair.client.close(CloseReason.CANCELLED); // idempotent
        assertThat(pair.client.closed().get()).isEqualTo(CloseReason.GRACEFUL_SHUTDOWN);
    }

    @Test
    void closingTheTransportReleasesThePortAndEndsAccept() throws Exception {
        QuicPair pair = pair();
        CompletableFuture<TransportConnection> accepting = async(pair.serverTransport::accept);

        long started = System.nanoTime();
        pair.serverTransport.close();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));

        assertThat(accepting).failsWithin(Duration.ofSeconds(5)).withThrowableThat()
                .havingCause().isInstanceOfSatisfying(LinkClosedException.class,
                        e -> assertThat(e.reason()).isEqualTo(CloseReason.CANCELLED));
        assertThatThrownBy(pair.serverTransport::accept).isInstanceOf(LinkClosedException.class);
        assertThat(pair.client.closed().get(10, TimeUnit.SECONDS)).isEqualTo(CloseReason.GRACEFUL_SHUTDOWN);

        // the port is free again: at once, or as soon as the socket's receiving thread left it (the JDK closes
        // a socket that a thread is blocked on when that thread returns, which a busy machine schedules late)
        await().atMost(Duration.ofSeconds(5)).ignoreExceptionsInstanceOf(java.net.BindException.class)
                .until(() -> keep(new QuicTransport(pair.serverConfig)).bind(pair.serverAddress)
                        .equals(pair.serverAddress));
    }

    @Test
    void dialingNothingFailsWithinTheTimeout() throws Exception {
        QuicTransport transport = keep(new QuicTransport(QuicPair.config(TransportConfig.DEFAULT_MAX_FRAME_SIZE,
                TransportConfig.DEFAULT_IDLE_TIMEOUT)));
        InetSocketAddress nobody;
        try (java.net.DatagramSocket probe = new java.net.DatagramSocket(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            nobody = (InetSocketAddress) probe.getLocalSocketAddress();
        }

        CompletableFuture<TransportConnection> dial = transport.dial(nobody, Duration.ofMillis(500));

        assertThat(dial).failsWithin(Duration.ofSeconds(5)).withThrowableThat()
                .havingCause().isInstanceOf(java.io.IOException.class);
    }

    @Test
    void keepAlivesHoldAnIdleConnectionAndSilenceEndsItAsATimeout() throws Exception {
        Duration idle = Duration.ofSeconds(2);
        TransportConfig serverConfig = QuicPair.config(TransportConfig.DEFAULT_MAX_FRAME_SIZE, idle);
        QuicTransport server = keep(new QuicTransport(serverConfig));
        QuicTransport client = keep(new QuicTransport(QuicPair.config(TransportConfig.DEFAULT_MAX_FRAME_SIZE, idle)));
        InetSocketAddress address = server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        UdpRelay relay = keep(new UdpRelay(address));
        CompletableFuture<TransportConnection> accepted = async(server::accept);
        TransportConnection dialed = client.dial(relay.address(), QuicPair.DIAL_TIMEOUT)
                .get(QuicPair.DIAL_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS);
        TransportConnection serverSide = accepted.get(10, TimeUnit.SECONDS);

        // Twice the idle timeout without a single frame: only keep-alives keep it up.
        await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(5))
                .until(() -> dialed.isOpen() && serverSide.isOpen());

        relay.blackHole();
        long silent = System.nanoTime();

        assertThat(serverSide.closed().get(8, TimeUnit.SECONDS)).isEqualTo(CloseReason.TIMEOUT);
        assertThat(dialed.closed().get(8, TimeUnit.SECONDS)).isEqualTo(CloseReason.TIMEOUT);
        Duration detection = Duration.ofNanos(System.nanoTime() - silent);
        System.out.println("dead peer detected after " + detection.toMillis() + " ms (idle timeout " + idle.toMillis() + " ms)");
        assertThat(detection).isLessThan(idle.multipliedBy(3));
    }

    @Test
    void closingWhileAPeerHasVanishedReleasesThePortAndKeepsTheProcessAlive() throws Exception {
        // kwik's own close waits up to 30 s for connections and exits the JVM (System.exit(9)) if its
        // socket fails before that: closing must neither wait that long nor pull the socket from under it
        QuicTransport server = new QuicTransport(QuicPair.config(TransportConfig.DEFAULT_MAX_FRAME_SIZE,
                Duration.ofSeconds(10)));
        QuicTransport client = keep(new QuicTransport(QuicPair.config(TransportConfig.DEFAULT_MAX_FRAME_SIZE,
                Duration.ofSeconds(10))));
        InetSocketAddress address = server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        UdpRelay relay = keep(new UdpRelay(address));
        CompletableFuture<TransportConnection> accepted = async(server::accept);
        client.dial(relay.address(), QuicPair.DIAL_TIMEOUT).get(QuicPair.DIAL_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS);
        accepted.get(10, TimeUnit.SECONDS);
        relay.blackHole(); // the client can no longer answer the server's close

        long start = System.nanoTime();
        server.close();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        // The JDK frees the port when kwik's receiver thread has left its blocked receive, a moment
        // after the close: wait for that, briefly.
        await().atMost(Duration.ofSeconds(5)).ignoreException(java.net.BindException.class).untilAsserted(() -> {
            try (java.net.DatagramSocket again = new java.net.DatagramSocket(address)) {
                assertThat(again.getLocalPort()).isEqualTo(address.getPort());
            }
        });
    }

    @Test
    void aReleasedSocketReportsTimeoutsWhichKwiksReceiveLoopIgnoresNeverErrors() throws Exception {
        HandshakeGate gate = new HandshakeGate(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4,
                Duration.ofSeconds(5));
        CompletableFuture<Throwable> blocked = CompletableFuture.supplyAsync(() -> {
            try {
                gate.receive(new java.net.DatagramPacket(new byte[1500], 1500));
                return null;
            } catch (Throwable e) {
                return e;
            }
        });
        gate.release();
        // any exception other than a timeout would make kwik's server call System.exit(9)
        assertThat(blocked.get(10, TimeUnit.SECONDS)).isInstanceOf(java.net.SocketTimeoutException.class);
        assertThatThrownBy(() -> gate.receive(new java.net.DatagramPacket(new byte[1500], 1500)))
                .isInstanceOf(java.net.SocketTimeoutException.class);
        assertThat(gate.isClosed()).isTrue();
    }
}
