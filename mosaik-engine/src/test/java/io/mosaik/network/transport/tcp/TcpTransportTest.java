package io.mosaik.network.transport.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mosaik.network.transport.CloseReason;
import io.mosaik.network.transport.FrameSink;
import io.mosaik.network.transport.FrameStream;
import io.mosaik.network.transport.FrameTooLargeException;
import io.mosaik.network.transport.LinkClosedException;
import io.mosaik.network.transport.TlsIdentity;
import io.mosaik.network.transport.TransportConfig;
import io.mosaik.network.transport.TransportConnection;
import io.mosaik.network.transport.TransportMetrics;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The tcp transport between real TLS peers on loopback, and against raw, misbehaving peers. */
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TcpTransportTest {

    private final TcpTestPeers peers = new TcpTestPeers();

    @AfterEach
    void closePeers() {
        peers.close();
    }

    @Test
    void bothEndsSeeTheSameTlsKeys() throws Exception {
        TransportConfig serverConfig = TcpTestPeers.config();
        TransportConfig clientConfig = TcpTestPeers.config();
        TcpTestPeers.Pair pair = peers.pair(serverConfig, clientConfig);

        assertThat(pair.dialed().initiator()).isTrue();
        assertThat(pair.accepted().initiator()).isFalse();
        assertThat(pair.dialed().serverTlsKey()).isEqualTo(pair.accepted().serverTlsKey())
                .isEqualTo(serverConfig.tls().publicKeyInfo());
        assertThat(pair.dialed().clientTlsKey()).isEqualTo(pair.accepted().clientTlsKey())
                .isEqualTo(clientConfig.tls().publicKeyInfo());
        // One source on both ends: the certificates' keys.
        assertThat(pair.accepted().serverTlsKey())
                .isEqualTo(serverConfig.tls().certificate().getPublicKey().getEncoded());
        assertThat(pair.dialed().clientTlsKey())
                .isEqualTo(clientConfig.tls().certificate().getPublicKey().getEncoded());
        assertThat(pair.dialed().remoteAddress()).isEqualTo(pair.address());
        assertThat(pair.accepted().remoteAddress().getAddress().isLoopbackAddress()).isTrue();

        // A second connection between the same transports runs a full handshake again: same keys.
        CompletableFuture<TransportConnection> again = pair.client().dial(pair.address(), Duration.ofSeconds(5));
        TransportConnection acceptedAgain = pair.server().accept();
        assertThat(again.get(5, TimeUnit.SECONDS).serverTlsKey()).isEqualTo(serverConfig.tls().publicKeyInfo());
        assertThat(acceptedAgain.clientTlsKey()).isEqualTo(clientConfig.tls().publicKeyInfo());
    }

    @Test
    void streamsFromEitherSideCarryFramesBothWays() throws Exception {
        TcpTestPeers.Pair pair = peers.pair();

        FrameStream fromDialer = pair.dialed().openStream(Duration.ofSeconds(1));
        fromDialer.send(bytes("hello"));
        FrameStream atAcceptor = pair.accepted().acceptStream();
        assertThat(text(atAcceptor.receive())).isEqualTo("hello");
        atAcceptor.send(bytes("world"));
        atAcceptor.send(new byte[0]);
        assertThat(text(fromDialer.receive())).isEqualTo("world");
        assertThat(fromDialer.receive()).isEmpty();

        FrameStream fromAcceptor = pair.accepted().openStream(Duration.ofSeconds(1));
        FrameStream atDialer = pair.dialed().acceptStream();
        fromAcceptor.send(bytes("ping"));
        assertThat(text(atDialer.receive())).isEqualTo("ping");
        atDialer.send(bytes("pong"));
        assertThat(text(fromAcceptor.receive())).isEqualTo("pong");
        assertThat(fromDialer.isOpen()).isTrue();
    }

    @Test
    void hundredConcurrentStreamsStayApart() throws Exception {
        TcpTestPeers.Pair pair = peers.pair();
        int streams = 100;
        int messages = 50;
        Thread echo = Thread.ofVirtual().start(() -> {
            try {
                for (int i = 0; i < streams; i++) {
                    FrameStream stream = pair.accepted().acceptStream();
                    Thread.ofVirtual().start(() -> {
                        try {
                            while (true) {
                                stream.send(stream.receive());
                            }
                        } catch (IOException e) {
                            // the client closed the stream
                        }
                    });
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        List<Future<Integer>> results = new ArrayList<>();
        for (int s = 0; s < streams; s++) {
            int streamNumber = s;
            CompletableFuture<Integer> result = new CompletableFuture<>();
            results.add(result);
            Thread.ofVirtual().start(() -> {
                try (FrameStream stream = pair.dialed().openStream(Duration.ofSeconds(1))) {
                    for (int m = 0; m < messages; m++) {
                        byte[] payload = bytes(streamNumber + ":" + m + ":" + "x".repeat(m * 10));
                        stream.send(payload);
                        assertThat(stream.receive()).isEqualTo(payload);
                    }
                    result.complete(messages);
                } catch (Throwable e) {
                    result.completeExceptionally(e);
                }
            });
        }
        for (Future<Integer> result : results) {
            assertThat(result.get(20, TimeUnit.SECONDS)).isEqualTo(messages);
        }
        echo.join(Duration.ofSeconds(5));
    }

    @Test
    void payloadLargerThanTheWindowArrivesWhole() throws Exception {
        SimpleMeterRegistry serverMeters = new SimpleMeterRegistry();
        SimpleMeterRegistry clientMeters = new SimpleMeterRegistry();
        TcpTestPeers.Pair pair = peers.pair(
                new TransportConfig(TlsIdentity.generate(), TransportConfig.DEFAULT_MAX_FRAME_SIZE,
                        TransportConfig.DEFAULT_IDLE_TIMEOUT, new TransportMetrics(serverMeters, "tcp")),
                new TransportConfig(TlsIdentity.generate(), TransportConfig.DEFAULT_MAX_FRAME_SIZE,
                        TransportConfig.DEFAULT_IDLE_TIMEOUT, new TransportMetrics(clientMeters, "tcp")));
        byte[] big = new byte[3 * 1024 * 1024];
        new Random(42).nextBytes(big);
        assertThat(big.length).isGreaterThan(MuxFrame.INITIAL_WINDOW);

        FrameStream sender = pair.dialed().openStream(Duration.ofSeconds(1));
        Future<?> sending = CompletableFuture.runAsync(() -> {
            try {
                sender.send(big);
                sender.send(bytes("after"));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        FrameStream receiver = pair.accepted().acceptStream();
        assertThat(receiver.receive()).isEqualTo(big);
        assertThat(text(receiver.receive())).isEqualTo("after");
        sending.get(5, TimeUnit.SECONDS);

        long frameBytes = big.length + 5 + "after".length() + 5;
        assertThat(serverMeters.get("mosaik.network.ingress.bytes").counter().count()).isEqualTo(frameBytes);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(clientMeters.get("mosaik.network.egress.bytes").counter().count()).isEqualTo(frameBytes));
    }

    @Test
    void frameHeaderSplitAcrossTheWindowBoundaryIsReassembled() throws Exception {
        TcpTestPeers.Pair pair = peers.pair();
        FrameStream sender = pair.dialed().openStream(Duration.ofSeconds(1));
        // Leaves 3 bytes of window: the next frame's 5-byte header must go out in two chunks.
        byte[] first = new byte[MuxFrame.INITIAL_WINDOW - 5 - 3];
        new Random(1).nextBytes(first);
        sender.send(first);
        CompletableFuture<Void> second = CompletableFuture.runAsync(() -> {
            try {
                sender.send(bytes("second"));
                sender.send(bytes("third"));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        FrameStream receiver = pair.accepted().acceptStream();
        assertThat(receiver.receive()).isEqualTo(first);
        assertThat(text(receiver.receive())).isEqualTo("second");
        assertThat(text(receiver.receive())).isEqualTo("third");
        second.get(5, TimeUnit.SECONDS);
    }

    @Test
    void interruptedReceiveBetweenFramesLeavesTheStreamUsable() throws Exception {
        TcpTestPeers.Pair pair = peers.pair();
        FrameStream sender = pair.dialed().openStream(Duration.ofSeconds(1));
        FrameStream receiver = pair.accepted().acceptStream();
        CompletableFuture<Throwable> waiting = new CompletableFuture<>();
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                receiver.receive();
                waiting.complete(null);
            } catch (Throwable e) {
                waiting.complete(e);
            }
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> reader.getState() == Thread.State.WAITING);
        reader.interrupt();
        assertThat(waiting.get(5, TimeUnit.SECONDS)).isInstanceOf(InterruptedIOException.class);
        assertThat(receiver.isOpen()).isTrue();
        sender.send(bytes("after the interrupt"));
        assertThat(text(receiver.receive())).isEqualTo("after the interrupt");
    }

    @Test
    void aStreamWhoseReaderStopsDoesNotBlockAnother() throws Exception {
        TcpTestPeers.Pair pair = peers.pair();
        FrameStream slow = pair.dialed().openStream(Duration.ofSeconds(1));
        FrameStream slowAtServer = pair.accepted().acceptStream();
        int chunk = 64 * 1024;
        int chunks = 32; // 2 MiB: far beyond one window, so the sender must wait for the reader
        CompletableFuture<Void> slowSending = CompletableFuture.runAsync(() -> {
            try {
                for (int i = 0; i < chunks; i++) {
                    slow.send(new byte[chunk]);
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });

        FrameStream fast = pair.dialed().openStream(Duration.ofSeconds(1));
        fast.send(bytes("first"));
        FrameStream fastAtServer = pair.accepted().acceptStream();
        for (int i = 0; i < 200; i++) {
            assertThat(fastAtServer.receive()).isNotNull();
            fastAtServer.send(new byte[1024]);
            assertThat(fast.receive()).hasSize(1024);
            fast.send(bytes("next"));
        }
        assertThat(slowSending).isNotDone();

        // Once the slow reader reads, the slow sender completes too.
        for (int i = 0; i < chunks; i++) {
            assertThat(slowAtServer.receive()).hasSize(chunk);
        }
        slowSending.get(5, TimeUnit.SECONDS);
    }

    @Test
    void closeReasonIsSeenRemotelyAfterTheDataSentBeforeIt() throws Exception {
        TcpTestPeers.Pair pair = peers.pair();
        FrameStream local = pair.dialed().openStream(Duration.ofSeconds(1));
        local.send(bytes("last words"));
        CloseReason custom = new CloseReason(10_042, "Unknown");
        local.close(custom);
        assertThat(local.isOpen()).isFalse();
        assertThatThrownBy(local::receive).isInstanceOfSatisfying(LinkClosedException.class, e -> {
            assertThat(e.reason()).isEqualTo(custom);
            assertThat(e.remote()).isFalse();
        });
        assertThatThrownBy(() -> local.send(bytes("more"))).isInstanceOf(LinkClosedException.class);

        FrameStream remote = pair.accepted().acceptStream();
        assertThat(text(remote.receive())).isEqualTo("last words");
        assertThatThrownBy(remote::receive).isInstanceOfSatisfying(LinkClosedException.class, e -> {
            assertThat(e.reason()).isEqualTo(custom);
            assertThat(e.remote()).isTrue();
        });
        assertThat(remote.isOpen()).isFalse();
        assertThatThrownBy(() -> remote.send(bytes("too late"))).isInstanceOfSatisfying(LinkClosedException.class,
                e -> assertThat(e.remote()).isTrue());
        remote.close(); // idempotent, no effect after the remote close

        // The connection is unaffected.
        FrameStream other = pair.accepted().openStream(Duration.ofSeconds(1));
        other.send(bytes("still here"));
        assertThat(text(pair.dialed().acceptStream().receive())).isEqualTo("still here");
        assertThat(pair.dialed().isOpen()).isTrue();
    }

    @Test
    void aBatchReceiveTakesWhatArrivedInOrderThenTheCloseAfterIt() throws Exception {
        TcpTestPeers.Pair pair = peers.pair();
        FrameStream sender = pair.dialed().openStream(Duration.ofSeconds(1));
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            sent.add(bytes("datum " + i));
        }
        sender.sendAll(sent);
        sender.close(new CloseReason(10_043, "Done"));
        FrameStream receiver = pair.accepted().acceptStream();
        List<byte[]> received = new ArrayList<>();
        int batches = 0;
        while (received.size() < sent.size()) {
            int before = received.size();
            int taken = receiver.receiveAvailable(received, 64);
            assertThat(taken).isBetween(1, 64).isEqualTo(received.size() - before);
            batches++;
        }
        assertThat(received).extracting(TcpTransportTest::text)
                .containsExactlyElementsOf(sent.stream().map(TcpTransportTest::text).toList());
        assertThat(batches).as("packed frames arrive together and are taken together").isLessThan(sent.size());
        assertThatThrownBy(() -> receiver.receiveAvailable(received, 64)).isInstanceOfSatisfying(
                LinkClosedException.class, e -> assertThat(e.reason().code()).isEqualTo(10_043));
    }

    /** Collects what a stream pushes, as a group's bond does. */
    private static final class Collecting implements FrameSink {
        final java.util.concurrent.LinkedBlockingQueue<byte[]> frames =
                new java.util.concurrent.LinkedBlockingQueue<>();
        final CompletableFuture<IOException> end = new CompletableFuture<>();
        final java.util.concurrent.atomic.AtomicInteger ends = new java.util.concurrent.atomic.AtomicInteger();
        volatile Thread thread;

        @Override
        public void frame(byte[] payload) {
            assertThat(end).as("no frame after the end").isNotDone();
            thread = Thread.currentThread();
            frames.add(payload);
        }

        @Override
        public void ended(IOException cause) {
            ends.incrementAndGet();
            end.complete(cause);
        }

        byte[] next() throws InterruptedException {
            byte[] frame = frames.poll(10, TimeUnit.SECONDS);
            assertThat(frame).as("a pushed frame within 10 s").isNotNull();
            return frame;
        }
    }

    @Test
    void aPushingStreamDeliversWhatWasBufferedThenEveryFrameInOrderThenTheEnd() throws Exception {
        TcpTestPeers.Pair pair = peers.pair();
        FrameStream sender = pair.dialed().openStream(Duration.ofSeconds(1));
        sender.send(bytes("before"));
        FrameStream receiver = pair.accepted().acceptStream();
        await().atMost(Duration.ofSeconds(10)).until(() -> ((MuxStream) receiver).bufferedBytes() > 0);
        Collecting sink = new Collecting();
        assertThat(receiver.deliverTo(sink)).isTrue();
        assertThat(text(sink.next())).isEqualTo("before");
        assertThatThrownBy(() -> receiver.deliverTo(new Collecting())).isInstanceOf(IllegalStateException.class);

        // Larger than the window (assembled across chunks as its credit returns), split headers, many
        // small frames packed together, empty ones.
        byte[] big = new byte[3 * 1024 * 1024];
        new Random(7).nextBytes(big);
        byte[] almostWindow = new byte[MuxFrame.INITIAL_WINDOW - 5 - 3];
        List<byte[]> small = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            small.add(bytes("datum " + i));
        }
        CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
            try {
                sender.send(big);
                sender.send(almostWindow);
                sender.send(bytes("split header"));
                sender.send(new byte[0]);
                sender.sendAll(small);
                sender.close(new CloseReason(10_044, "Finished"));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(sink.next()).isEqualTo(big);
        assertThat(sink.next()).isEqualTo(almostWindow);
        assertThat(text(sink.next())).isEqualTo("split header");
        assertThat(sink.next()).isEmpty();
        for (byte[] datum : small) {
            assertThat(text(sink.next())).isEqualTo(text(datum));
        }
        sending.get(10, TimeUnit.SECONDS);
        assertThat(sink.end.get(10, TimeUnit.SECONDS)).isInstanceOfSatisfying(LinkClosedException.class, e -> {
            assertThat(e.reason().code()).isEqualTo(10_044);
            assertThat(e.remote()).isTrue();
        });
        assertThat(sink.thread.getName()).as("pushed by the connection's reader").endsWith("-reader");
        assertThat(sink.frames).isEmpty();
        assertThat(sink.ends).hasValue(1);
    }

    /** A stream the dialing side sent "first" on, pushing into a sink on the accepting side since. */
    private record Pushing(TcpTestPeers.Pair pair, FrameStream sender, FrameStream receiver, Collecting sink) {
    }

    private Pushing pushing() throws Exception {
        TcpTestPeers.Pair pair = peers.pair();
        FrameStream sender = pair.dialed().openStream(Duration.ofSeconds(1));
        sender.send(bytes("first"));
        FrameStream receiver = pair.accepted().acceptStream();
        Collecting sink = new Collecting();
        assertThat(receiver.deliverTo(sink)).isTrue();
        assertThat(text(sink.next())).isEqualTo("first");
        return new Pushing(pair, sender, receiver, sink);
    }

    @Test
    void aPushingStreamClosedHereEndsItsSinkOnceAndDropsWhatCameAfter() throws Exception {
        Pushing p = pushing();
        p.receiver().close(new CloseReason(10_045, "Enough"));
        assertThat(p.sink().end.get(10, TimeUnit.SECONDS)).isInstanceOfSatisfying(LinkClosedException.class, e -> {
            assertThat(e.reason().code()).isEqualTo(10_045);
            assertThat(e.remote()).isFalse();
        });
        try {
            p.sender().send(bytes("late")); // may cross the CLOSE on the wire
        } catch (LinkClosedException alreadyClosed) {
            // the CLOSE came first
        }
        assertThatThrownBy(p.sender()::receive).isInstanceOf(LinkClosedException.class);
        // The connection is ordered: once a later stream's frame is through, so is "late".
        FrameStream later = p.pair().dialed().openStream(Duration.ofSeconds(1));
        later.send(bytes("flush"));
        assertThat(text(p.pair().accepted().acceptStream().receive())).isEqualTo("flush");
        assertThat(p.sink().frames).isEmpty();
        assertThat(p.sink().ends).hasValue(1);
    }

    @Test
    void aPushingStreamRefusesAnOversizedFrameClosesItselfAndKeepsTheConnection() throws Exception {
        TcpTestPeers.Pair pair = peers.pair(TcpTestPeers.config(1024, TransportConfig.DEFAULT_IDLE_TIMEOUT),
                TcpTestPeers.config());
        FrameStream sender = pair.dialed().openStream(Duration.ofSeconds(1));
        FrameStream receiver = pair.accepted().acceptStream();
        Collecting sink = new Collecting();
        receiver.deliverTo(sink);
        sender.send(new byte[1024]);
        sender.send(new byte[1025]);
        assertThat(sink.next()).hasSize(1024);
        assertThat(sink.end.get(10, TimeUnit.SECONDS)).isInstanceOfSatisfying(FrameTooLargeException.class, e -> {
            assertThat(e.size()).isEqualTo(1025);
            assertThat(e.limit()).isEqualTo(1024);
        });
        assertThat(receiver.isOpen()).isFalse();
        assertThatThrownBy(sender::receive).isInstanceOfSatisfying(LinkClosedException.class,
                e -> assertThat(e.reason()).isEqualTo(CloseReason.PROTOCOL_VIOLATION));
        FrameStream next = pair.dialed().openStream(Duration.ofSeconds(1));
        next.send(bytes("fine"));
        assertThat(text(pair.accepted().acceptStream().receive())).isEqualTo("fine");
        assertThat(sink.ends).hasValue(1);
    }

    @Test
    void aPushingStreamEndsWhenItsConnectionDies() throws Exception {
        Pushing p = pushing();
        p.pair().dialed().close(CloseReason.GRACEFUL_SHUTDOWN);
        assertThat(p.sink().end.get(10, TimeUnit.SECONDS)).isInstanceOf(LinkClosedException.class);
        assertThat(p.sink().ends).hasValue(1);
    }

    @Test
    void aTrySendGoesOutOnlyWhenNothingMustBeWaitedFor() throws Exception {
        TcpTestPeers.Pair pair = peers.pair();
        FrameStream sender = pair.dialed().openStream(Duration.ofSeconds(1));
        assertThat(sender.trySend(bytes("one"))).isTrue();
        FrameStream receiver = pair.accepted().acceptStream();
        assertThat(text(receiver.receive())).isEqualTo("one");

        assertThat(sender.trySend(new byte[MuxFrame.CHUNK])).as("more than one chunk: never at once").isFalse();
        int sent = 0;
        while (sender.trySend(new byte[1_000])) { // the receiver does not read: the window runs out
            sent++;
        }
        assertThat(sent).as("the initial window's worth").isBetween(1, MuxFrame.INITIAL_WINDOW / 1_000);
        for (int i = 0; i < sent; i++) {
            assertThat(receiver.receive()).hasSize(1_000);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> sender.trySend(bytes("again"))); // credit granted back
        assertThat(text(receiver.receive())).isEqualTo("again");

        sender.close();
        assertThat(sender.trySend(bytes("closed"))).isFalse();
    }

    @Test
    void oversizedFrameIsRefusedAndOnlyItsStreamCloses() throws Exception {
        TcpTestPeers.Pair pair = peers.pair(TcpTestPeers.config(1024, TransportConfig.DEFAULT_IDLE_TIMEOUT),
                TcpTestPeers.config());
        FrameStream sender = pair.dialed().openStream(Duration.ofSeconds(1));
        sender.send(new byte[1024]);
        sender.send(new byte[1025]);
        FrameStream receiver = pair.accepted().acceptStream();
        assertThat(receiver.receive()).hasSize(1024);
        assertThatThrownBy(receiver::receive).isInstanceOfSatisfying(FrameTooLargeException.class, e -> {
            assertThat(e.size()).isEqualTo(1025);
            assertThat(e.limit()).isEqualTo(1024);
        });
        assertThat(receiver.isOpen()).isFalse();
        assertThatThrownBy(sender::receive).isInstanceOfSatisfying(LinkClosedException.class, e -> {
            assertThat(e.reason()).isEqualTo(CloseReason.PROTOCOL_VIOLATION);
            assertThat(e.remote()).isTrue();
        });

        FrameStream next = pair.dialed().openStream(Duration.ofSeconds(1));
        next.send(bytes("fine"));
        assertThat(text(pair.accepted().acceptStream().receive())).isEqualTo("fine");
    }

    @Test
    void closingTheConnectionUnblocksEveryWaiterOnBothEnds() throws Exception {
        TcpTestPeers.Pair pair = peers.pair();
        FrameStream dialerStream = pair.dialed().openStream(Duration.ofSeconds(1));
        dialerStream.send(bytes("open"));
        FrameStream acceptorStream = pair.accepted().acceptStream();
        acceptorStream.receive();
        // A sender blocked on a full window (its stream accepted but never read) must be released too.
        FrameStream blockedSender = pair.dialed().openStream(Duration.ofSeconds(1));
        FrameStream neverRead = pair.accepted().acceptStream();
        assertThat(neverRead.isOpen()).isTrue();

        CompletableFuture<Throwable> remoteReceive = failure(acceptorStream::receive);
        CompletableFuture<Throwable> remoteAccept = failure(() -> pair.accepted().acceptStream());
        CompletableFuture<Throwable> localReceive = failure(dialerStream::receive);
        CompletableFuture<Throwable> localAccept = failure(() -> pair.dialed().acceptStream());
        CompletableFuture<Throwable> localSend = failure(() -> blockedSender.send(new byte[1024 * 1024]));

        pair.dialed().close(CloseReason.GRACEFUL_SHUTDOWN);

        for (CompletableFuture<Throwable> local : List.of(localReceive, localAccept, localSend)) {
            assertThat(local.get(5, TimeUnit.SECONDS)).isInstanceOfSatisfying(LinkClosedException.class, e -> {
                assertThat(e.reason()).isEqualTo(CloseReason.GRACEFUL_SHUTDOWN);
                assertThat(e.remote()).isFalse();
            });
        }
        for (CompletableFuture<Throwable> remote : List.of(remoteReceive, remoteAccept)) {
            assertThat(remote.get(5, TimeUnit.SECONDS)).isInstanceOfSatisfying(LinkClosedException.class, e -> {
                assertThat(e.reason()).isEqualTo(CloseReason.GRACEFUL_SHUTDOWN);
                assertThat(e.remote()).isTrue();
            });
        }
        assertThat(pair.dialed().closed().get(5, TimeUnit.SECONDS)).isEqualTo(CloseReason.GRACEFUL_SHUTDOWN);
        assertThat(pair.accepted().closed().get(5, TimeUnit.SECONDS)).isEqualTo(CloseReason.GRACEFUL_SHUTDOWN);
        assertThatThrownBy(() -> pair.dialed().openStream(Duration.ofSeconds(1)))
                .isInstanceOf(LinkClosedException.class);
        pair.dialed().close(CloseReason.SUCCESS); // idempotent
        assertThat(pair.dialed().isOpen()).isFalse();
        await().atMost(Duration.ofSeconds(5))
                .until(() -> ((TcpConnection) pair.accepted()).terminated().isDone()
                        && ((TcpConnection) pair.dialed()).terminated().isDone());
    }

    @Test
    void framesSentBeforeTheConnectionClosesAreDeliveredBeforeTheReason() throws Exception {
        TcpTestPeers.Pair pair = peers.pair();
        FrameStream stream = pair.dialed().openStream(Duration.ofSeconds(1));
        stream.send(bytes("first"));
        FrameStream remote = pair.accepted().acceptStream(); // accepting ends with the connection
        // All within the initial window, so nothing waits for the reader.
        stream.send(new byte[20_000]);
        stream.send(bytes("bye"));
        pair.dialed().close(CloseReason.GRACEFUL_SHUTDOWN);

        assertThat(text(remote.receive())).isEqualTo("first");
        assertThat(remote.receive()).hasSize(20_000);
        assertThat(text(remote.receive())).isEqualTo("bye");
        assertThatThrownBy(remote::receive).isInstanceOfSatisfying(LinkClosedException.class, e -> {
            assertThat(e.reason()).isEqualTo(CloseReason.GRACEFUL_SHUTDOWN);
            assertThat(e.remote()).isTrue();
        });
    }

    @Test
    void silentPeerAfterTheHandshakeIsClosedByTheIdleTimeout() throws Exception {
        TcpTransport server = peers.transport(TcpTestPeers.config(TransportConfig.DEFAULT_MAX_FRAME_SIZE,
                Duration.ofSeconds(1)));
        InetSocketAddress address = server.bind(TcpTestPeers.LOOPBACK);
        TcpTestPeers.RawTls silent = peers.rawTlsClient(address); // handshakes, then never reads nor writes
        TransportConnection accepted = server.accept();

        long start = System.nanoTime();
        assertThat(accepted.closed().get(8, TimeUnit.SECONDS)).isEqualTo(CloseReason.TIMEOUT);
        // About one idle timeout (1 s); the bound leaves slack for a busy machine.
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(6));
        // The silent peer learns why (GOAWAY) if it ever reads.
        assertThat(TcpTestPeers.readGoAwayCode(silent.tls().getInputStream())).isEqualTo(CloseReason.TIMEOUT.code());
    }

    @Test
    void dialerDetectsAServerThatStopsResponding() throws Exception {
        TcpTransport client = peers.transport(TcpTestPeers.config(TransportConfig.DEFAULT_MAX_FRAME_SIZE,
                Duration.ofSeconds(1)));
        ServerSocket listener = peers.rawListener();
        CompletableFuture<TcpTestPeers.RawTls> frozen = CompletableFuture.supplyAsync(() -> {
            try {
                return peers.rawTlsServer(listener.accept());
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        TransportConnection dialed = client.dial((InetSocketAddress) listener.getLocalSocketAddress(),
                Duration.ofSeconds(5)).get(5, TimeUnit.SECONDS);
        frozen.get(5, TimeUnit.SECONDS);
        FrameStream stream = dialed.openStream(Duration.ofSeconds(1));
        CompletableFuture<Throwable> receive = failure(stream::receive);

        assertThat(dialed.closed().get(5, TimeUnit.SECONDS)).isEqualTo(CloseReason.TIMEOUT);
        assertThat(receive.get(5, TimeUnit.SECONDS)).isInstanceOfSatisfying(LinkClosedException.class,
                e -> assertThat(e.reason()).isEqualTo(CloseReason.TIMEOUT));
    }

    @Test
    void tcpPeerThatNeverHandshakesIsDroppedAfterTheHandshakeTimeout() throws Exception {
        TcpTransport server = peers.transport(TcpTestPeers.config(), Duration.ofMillis(500));
        InetSocketAddress address = server.bind(TcpTestPeers.LOOPBACK);
        Socket idle = peers.rawTcp(address);
        idle.setSoTimeout(5000);
        // The server closes the socket once the deadline passes: the read ends instead of timing out.
        assertThat(idle.getInputStream().read()).isEqualTo(-1);
    }

    @Test
    void dialFailsWithAnIoExceptionWhenNothingAnswersInTime() throws Exception {
        TcpTransport client = peers.transport(TcpTestPeers.config());
        ServerSocket mute = peers.rawListener(); // accepts TCP (backlog) but never speaks TLS
        CompletableFuture<TransportConnection> dial = client.dial(
                (InetSocketAddress) mute.getLocalSocketAddress(), Duration.ofMillis(500));
        assertThatThrownBy(() -> dial.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(IOException.class);

        // A port held by a socket that is bound but not listening: refused, and nobody else can take it.
        try (Socket holder = new Socket()) {
            holder.bind(TcpTestPeers.LOOPBACK);
            InetSocketAddress refusing = (InetSocketAddress) holder.getLocalSocketAddress();
            assertThatThrownBy(() -> client.dial(refusing, Duration.ofSeconds(2)).get(5, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(IOException.class);
        }
    }

    @Test
    void garbageFromAPlainTcpClientDoesNotDisturbTheTransport() throws Exception {
        TcpTestPeers.Pair pair = peers.pair();
        List<Socket> garbage = new ArrayList<>();
        Random random = new Random(7);
        for (int i = 0; i < 5; i++) {
            Socket socket = peers.rawTcp(pair.address());
            socket.setSoTimeout(5000);
            byte[] noise = new byte[1000 * (i + 1)];
            random.nextBytes(noise);
            noise[0] = 0; // no valid TLS record type, so the server fails at once rather than wait for more
            if (i == 0) {
                noise = "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            }
            socket.getOutputStream().write(noise);
            garbage.add(socket);
        }
        for (Socket socket : garbage) {
            // The handshake fails and the server drops the socket (an alert may come first).
            assertThat(drainToEnd(socket.getInputStream())).isTrue();
        }

        // The existing connection and new ones carry on.
        FrameStream stream = pair.dialed().openStream(Duration.ofSeconds(1));
        stream.send(bytes("still fine"));
        assertThat(text(pair.accepted().acceptStream().receive())).isEqualTo("still fine");
        CompletableFuture<TransportConnection> fresh = pair.client().dial(pair.address(), Duration.ofSeconds(5));
        TransportConnection freshAccepted = pair.server().accept();
        fresh.get(5, TimeUnit.SECONDS).openStream(Duration.ofSeconds(1)).send(bytes("new"));
        assertThat(text(freshAccepted.acceptStream().receive())).isEqualTo("new");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"unknown-type", "data-for-unopened-stream", "oversized-data", "open-out-of-order",
            "window-beyond-credit"})
    void malformedMuxFramesCloseTheConnectionWithProtocolViolation(String kind) throws Exception {
        TcpTransport server = peers.transport(TcpTestPeers.config());
        InetSocketAddress address = server.bind(TcpTestPeers.LOOPBACK);
        TcpTestPeers.RawTls raw = peers.rawTlsClient(address);
        TransportConnection accepted = server.accept();
        OutputStream out = raw.tls().getOutputStream();
        switch (kind) {
            case "unknown-type" -> out.write(TcpTestPeers.header(0x7F, 0, 0));
            case "data-for-unopened-stream" -> {
                out.write(TcpTestPeers.header(MuxFrame.DATA, 9, 3));
                out.write(new byte[3]);
            }
            case "oversized-data" -> {
                out.write(MuxFrame.open(1));
                out.write(TcpTestPeers.header(MuxFrame.DATA, 1, 16 * 1024 * 1024));
            }
            case "open-out-of-order" -> {
                out.write(MuxFrame.open(3));
                out.write(MuxFrame.open(1));
            }
            case "window-beyond-credit" -> {
                out.write(MuxFrame.open(1));
                byte[] chunk = new byte[MuxFrame.MAX_DATA];
                for (int i = 0; i <= MuxFrame.INITIAL_WINDOW / MuxFrame.MAX_DATA; i++) {
                    out.write(TcpTestPeers.header(MuxFrame.DATA, 1, chunk.length));
                    out.write(chunk);
                }
            }
            default -> throw new IllegalArgumentException(kind);
        }
        out.flush();

        assertThat(accepted.closed().get(5, TimeUnit.SECONDS)).isEqualTo(CloseReason.PROTOCOL_VIOLATION);
        // The peer is told why: a GOAWAY with the code, after any frames already queued.
        assertThat(TcpTestPeers.readGoAwayCode(raw.tls().getInputStream()))
                .isEqualTo(CloseReason.PROTOCOL_VIOLATION.code());

        // The transport keeps serving real peers.
        TcpTransport client = peers.transport(TcpTestPeers.config());
        CompletableFuture<TransportConnection> dialed = client.dial(address, Duration.ofSeconds(5));
        TransportConnection real = server.accept();
        dialed.get(5, TimeUnit.SECONDS).openStream(Duration.ofSeconds(1)).send(bytes("ok"));
        assertThat(text(real.acceptStream().receive())).isEqualTo("ok");
    }

    @Test
    void pingsKeepAnIdleConnectionOpen() throws Exception {
        TcpTestPeers.Pair pair = peers.pair(
                TcpTestPeers.config(TransportConfig.DEFAULT_MAX_FRAME_SIZE, Duration.ofSeconds(2)),
                TcpTestPeers.config(TransportConfig.DEFAULT_MAX_FRAME_SIZE, Duration.ofSeconds(2)));
        // Nothing is sent by the application for two and a half idle timeouts.
        assertThatThrownBy(() -> pair.accepted().closed().get(5, TimeUnit.SECONDS))
                .isInstanceOf(TimeoutException.class);
        assertThat(pair.dialed().isOpen()).isTrue();
        // What kept it open: both ends' PINGs were answered.
        assertThat(((TcpConnection) pair.dialed()).pongsReceived()).isPositive();
        assertThat(((TcpConnection) pair.accepted()).pongsReceived()).isPositive();
        FrameStream stream = pair.dialed().openStream(Duration.ofSeconds(1));
        stream.send(bytes("alive"));
        assertThat(text(pair.accepted().acceptStream().receive())).isEqualTo("alive");
    }

    @Test
    void closeReleasesThePortAndEndsEverything() throws Exception {
        TcpTestPeers.Pair pair = peers.pair();
        CompletableFuture<Throwable> blockedAccept = failure(() -> pair.server().accept());
        FrameStream stream = pair.dialed().openStream(Duration.ofSeconds(1));
        CompletableFuture<Throwable> blockedReceive = failure(stream::receive);

        long start = System.nanoTime();
        pair.server().close();
        // Bounded: CLOSE_GRACE (2 s) at most for the closing exchange, plus slack for a busy machine.
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(8));

        assertThat(blockedAccept.get(5, TimeUnit.SECONDS)).isInstanceOfSatisfying(LinkClosedException.class, e -> {
            assertThat(e.reason()).isEqualTo(CloseReason.CANCELLED);
            assertThat(e.remote()).isFalse();
        });
        assertThatThrownBy(() -> pair.server().accept()).isInstanceOf(LinkClosedException.class);
        assertThat(pair.dialed().closed().get(5, TimeUnit.SECONDS)).isEqualTo(CloseReason.GRACEFUL_SHUTDOWN);
        assertThat(blockedReceive.get(5, TimeUnit.SECONDS)).isInstanceOf(LinkClosedException.class);
        assertThat(pair.accepted().isOpen()).isFalse();
        try (ServerSocket again = new ServerSocket()) {
            again.bind(pair.address());
            assertThat(again.getLocalPort()).isEqualTo(pair.address().getPort());
        }
        assertThat(pair.client().dial(pair.address(), Duration.ofSeconds(1))).failsWithin(Duration.ofSeconds(5));
        pair.server().close(); // idempotent
    }

    // ---- helpers ----

    private interface Blocking {
        void run() throws Exception;
    }

    /** Runs a blocking call on a virtual thread; completes with what it threw (or null if it returned). */
    private static CompletableFuture<Throwable> failure(Blocking call) {
        CompletableFuture<Throwable> result = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                call.run();
                result.complete(null);
            } catch (Throwable e) {
                result.complete(e);
            }
        });
        return result;
    }

    /** Reads until the end of the input; true if it ended (or was reset) rather than timed out. */
    private static boolean drainToEnd(InputStream in) {
        try {
            while (in.read() >= 0) {
                // skip the TLS alert
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
