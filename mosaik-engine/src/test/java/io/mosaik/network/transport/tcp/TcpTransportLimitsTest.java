package io.mosaik.network.transport.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.mosaik.network.transport.CloseReason;
import io.mosaik.network.transport.FrameStream;
import io.mosaik.network.transport.LinkClosedException;
import io.mosaik.network.transport.TransportConnection;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What a peer, authenticated or not, can make a tcp transport hold: memory, queues and handshakes. */
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TcpTransportLimitsTest {

    private final TcpTestPeers peers = new TcpTestPeers();

    @AfterEach
    void closePeers() {
        peers.close();
    }

    @Test
    void peerWithTheMostStreamsWritingUnreadCannotExceedTheReceiveBudget() throws Exception {
        TcpTransport server = peers.transport(TcpTestPeers.config());
        InetSocketAddress address = server.bind(TcpTestPeers.LOOPBACK);
        TcpTestPeers.RawTls raw = peers.rawTlsClient(address);
        TcpConnection accepted = (TcpConnection) server.accept(); // and nobody accepts its streams
        OutputStream out = new BufferedOutputStream(raw.tls().getOutputStream(), 64 * 1024);

        // Every stream it may open, each filled to the window a new stream gets.
        for (int i = 0; i < TcpConnection.MAX_STREAMS; i++) {
            int id = 1 + 2 * i;
            out.write(MuxFrame.open(id));
            out.write(TcpTestPeers.header(MuxFrame.DATA, id, MuxFrame.INITIAL_WINDOW));
            out.write(new byte[MuxFrame.INITIAL_WINDOW]);
        }
        out.flush();

        long everything = (long) TcpConnection.MAX_STREAMS * MuxFrame.INITIAL_WINDOW;
        await().atMost(Duration.ofSeconds(10)).until(() -> accepted.bufferedBytes() == everything);
        assertThat(accepted.bufferedBytes()).isLessThanOrEqualTo(TcpConnection.RECEIVE_BUDGET);
        assertThat(accepted.committedWindow()).isLessThanOrEqualTo(TcpConnection.RECEIVE_BUDGET);
        assertThat(accepted.isOpen()).isTrue();

        // One byte more on any of them is beyond its credit.
        out.write(TcpTestPeers.header(MuxFrame.DATA, 1, 1));
        out.write(0);
        out.flush();
        assertThat(accepted.closed().get(5, TimeUnit.SECONDS)).isEqualTo(CloseReason.PROTOCOL_VIOLATION);
        assertThat(accepted.bufferedBytes()).isZero();
    }

    @Test
    void openBeyondTheStreamLimitIsAProtocolViolation() throws Exception {
        TcpTransport server = peers.transport(TcpTestPeers.config());
        InetSocketAddress address = server.bind(TcpTestPeers.LOOPBACK);
        TcpTestPeers.RawTls raw = peers.rawTlsClient(address);
        TransportConnection accepted = server.accept();
        OutputStream out = new BufferedOutputStream(raw.tls().getOutputStream());
        for (int i = 0; i < TcpConnection.MAX_STREAMS; i++) {
            out.write(MuxFrame.open(1 + 2 * i));
        }
        out.flush();
        // All of them are served (accepting one does not free a slot: it is open until closed).
        FrameStream first = accepted.acceptStream();
        assertThat(first.isOpen()).isTrue();
        assertThat(accepted.isOpen()).isTrue();

        out.write(MuxFrame.open(1 + 2 * TcpConnection.MAX_STREAMS));
        out.flush();
        assertThat(accepted.closed().get(5, TimeUnit.SECONDS)).isEqualTo(CloseReason.PROTOCOL_VIOLATION);
        assertThat(TcpTestPeers.readGoAwayCode(raw.tls().getInputStream()))
                .isEqualTo(CloseReason.PROTOCOL_VIOLATION.code());
    }

    @Test
    void closingAStreamFreesItsSlotForTheNextOpen() throws Exception {
        TcpTestPeers.Pair pair = peers.pair();
        List<FrameStream> open = new ArrayList<>();
        for (int i = 0; i < TcpConnection.MAX_STREAMS; i++) {
            FrameStream stream = pair.dialed().openStream(Duration.ofSeconds(1));
            stream.send(new byte[] {(byte) i});
            open.add(stream);
        }
        // The local side refuses to open more than the peer would accept...
        assertThatThrownBy(() -> pair.dialed().openStream(Duration.ofSeconds(1))).isInstanceOf(IOException.class)
                .isNotInstanceOf(LinkClosedException.class);
        List<FrameStream> served = new ArrayList<>();
        for (int i = 0; i < TcpConnection.MAX_STREAMS; i++) {
            FrameStream stream = pair.accepted().acceptStream();
            assertThat(stream.receive()).hasSize(1);
            served.add(stream);
        }
        // ... until one closes (and the other end has seen it): then the next one is served.
        open.getFirst().close();
        assertThatThrownBy(served.getFirst()::receive).isInstanceOf(LinkClosedException.class);
        FrameStream next = pair.dialed().openStream(Duration.ofSeconds(1));
        next.send(new byte[] {42});
        assertThat(pair.accepted().acceptStream().receive()).containsExactly(42);
        assertThat(pair.accepted().isOpen()).isTrue();
    }

    @Test
    void refusedOpensFromAPeerThatDoesNotReadOverflowTheWriteQueueAndCloseTheConnection() throws Exception {
        TcpTransport server = peers.transport(TcpTestPeers.config());
        InetSocketAddress address = server.bind(TcpTestPeers.LOOPBACK);
        TcpTestPeers.RawTls raw = peers.rawTlsClient(address, 4096);
        TcpConnection accepted = (TcpConnection) server.accept();
        OutputStream out = new BufferedOutputStream(raw.tls().getOutputStream(), 64 * 1024);
        // Streams sent to and closed, never accepted here: their bytes wait, and they keep their slots.
        int id = 1;
        for (int i = 0; i < TcpConnection.MAX_STREAMS; i++, id += 2) {
            out.write(MuxFrame.open(id));
            out.write(TcpTestPeers.header(MuxFrame.DATA, id, 100));
            out.write(new byte[100]);
            out.write(MuxFrame.close(id, CloseReason.SUCCESS));
        }
        out.write(MuxFrame.open(id));
        out.flush();
        // The next stream is refused (CLOSE with Cancelled), the connection stays open.
        DataInputStream in = new DataInputStream(raw.tls().getInputStream());
        int refused = id;
        assertThat(readCloseCode(in, refused)).isEqualTo(CloseReason.CANCELLED.code());
        assertThat(accepted.isOpen()).isTrue();
        assertThat(accepted.bufferedBytes()).isEqualTo(100L * TcpConnection.MAX_STREAMS);

        // A flood of OPENs whose refusals are never read: the queue is bounded, the connection closes.
        long sent = 0;
        try {
            while (!accepted.closed().isDone() && sent < 3_000_000) {
                for (int i = 0; i < 4096; i++) {
                    id += 2;
                    out.write(MuxFrame.open(id));
                }
                out.flush();
                sent += 4096;
            }
        } catch (IOException e) {
            // the server cut the connection
        }
        assertThat(accepted.closed().get(10, TimeUnit.SECONDS)).isEqualTo(CloseReason.PROTOCOL_VIOLATION);
        assertThatThrownBy(accepted::acceptStream).isInstanceOf(LinkClosedException.class)
                .hasMessageContaining("write queue overflow");
    }

    @Test
    void senderWaitsInsteadOfQueueingWithoutBoundForAPeerThatGrantsButDoesNotRead() throws Exception {
        TcpTransport client = peers.transport(TcpTestPeers.config());
        ServerSocket listener = peers.rawListener();
        CompletableFuture<TcpTestPeers.RawTls> rawServer = CompletableFuture.supplyAsync(() -> {
            try {
                Socket socket = listener.accept();
                socket.setReceiveBufferSize(4096);
                return peers.rawTlsServer(socket);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        TcpConnection dialed = (TcpConnection) client.dial((InetSocketAddress) listener.getLocalSocketAddress(),
                Duration.ofSeconds(5)).get(5, TimeUnit.SECONDS);
        TcpTestPeers.RawTls raw = rawServer.get(5, TimeUnit.SECONDS);
        FrameStream stream = dialed.openStream(Duration.ofSeconds(1));
        // The peer grants almost 4 GiB of credit, then never reads.
        OutputStream out = raw.tls().getOutputStream();
        out.write(MuxFrame.windowUpdate(1, 0xFFF0_0000));
        out.flush();

        byte[] payload = new byte[MuxFrame.MAX_DATA];
        CompletableFuture<Throwable> sending = CompletableFuture.supplyAsync(() -> {
            try {
                for (int i = 0; i < 1024; i++) { // 64 MiB
                    stream.send(payload);
                }
                return null;
            } catch (IOException e) {
                return e;
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> dialed.writer().queuedBytes() >= MuxWriter.MAX_QUEUED_BYTES);
        assertThat(dialed.writer().queuedBytes())
                .isLessThanOrEqualTo(MuxWriter.MAX_QUEUED_BYTES + MuxFrame.CHUNK + MuxFrame.HEADER + 5);
        assertThat(sending).isNotDone();

        // Closing the stream releases the waiting sender.
        stream.close(CloseReason.CANCELLED);
        assertThat(sending.get(5, TimeUnit.SECONDS)).isInstanceOfSatisfying(LinkClosedException.class,
                e -> assertThat(e.reason()).isEqualTo(CloseReason.CANCELLED));
    }

    @Test
    void aReaderThatKeepsUpGetsALargerWindowAndOneThatDoesNotKeepsTheInitialOne() throws Exception {
        TcpTestPeers.Pair pair = peers.pair();
        TcpConnection receiving = (TcpConnection) pair.accepted();
        FrameStream fast = pair.dialed().openStream(Duration.ofSeconds(1));
        FrameStream slow = pair.dialed().openStream(Duration.ofSeconds(1));
        fast.send(new byte[] {1});
        slow.send(new byte[] {2});
        MuxStream fastAtServer = (MuxStream) receiving.acceptStream();
        MuxStream slowAtServer = (MuxStream) receiving.acceptStream();
        assertThat(fastAtServer.receive()).containsExactly(1);
        assertThat(slowAtServer.receive()).containsExactly(2);

        byte[] payload = new byte[MuxFrame.MAX_DATA];
        CompletableFuture<Void> fastSending = CompletableFuture.runAsync(() -> sendAll(fast, payload, 256));
        CompletableFuture<Void> slowSending = CompletableFuture.runAsync(() -> sendAll(slow, payload, 16));
        for (int i = 0; i < 256; i++) {
            assertThat(fastAtServer.receive()).hasSize(payload.length);
        }
        fastSending.get(10, TimeUnit.SECONDS);
        assertThat(fastAtServer.receiveWindow()).isGreaterThan(MuxFrame.INITIAL_WINDOW)
                .isLessThanOrEqualTo(MuxFrame.MAX_WINDOW);

        // The stream nobody reads holds one initial window, no more (less the 6 bytes of its first frame,
        // read but too few to be granted back yet).
        long unread = MuxFrame.INITIAL_WINDOW - 6;
        await().atMost(Duration.ofSeconds(5)).until(() -> receiving.bufferedBytes() == unread);
        assertThat(slowAtServer.receiveWindow()).isEqualTo(MuxFrame.INITIAL_WINDOW);
        assertThat(slowSending).isNotDone();
        assertThat(receiving.committedWindow()).isLessThanOrEqualTo(TcpConnection.RECEIVE_BUDGET);

        // Once read, the slow stream completes too, and everything read is released.
        for (int i = 0; i < 16; i++) {
            assertThat(slowAtServer.receive()).hasSize(payload.length);
        }
        slowSending.get(10, TimeUnit.SECONDS);
        assertThat(receiving.bufferedBytes()).isZero();
    }

    @Test
    void outboundDialsDoNotCountAgainstTheIncomingHandshakeLimit() throws Exception {
        TcpTransport node = new TcpTransport(TcpTestPeers.config(), Duration.ofSeconds(20), 2);
        try {
            InetSocketAddress address = node.bind(TcpTestPeers.LOOPBACK);
            // More dials in progress than the incoming limit, to a peer that never answers TLS.
            ServerSocket mute = peers.rawListener();
            List<CompletableFuture<TransportConnection>> dials = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                dials.add(node.dial((InetSocketAddress) mute.getLocalSocketAddress(), Duration.ofSeconds(20)));
            }
            // A real peer still gets in.
            TcpTransport other = peers.transport(TcpTestPeers.config());
            CompletableFuture<TransportConnection> dialed = other.dial(address, Duration.ofSeconds(5));
            TransportConnection accepted = node.accept();
            dialed.get(5, TimeUnit.SECONDS).openStream(Duration.ofSeconds(1)).send(new byte[] {7});
            assertThat(accepted.acceptStream().receive()).containsExactly(7);
            assertThat(dials).noneMatch(CompletableFuture::isDone);

            // The limit still holds for incoming handshakes: two silent sockets fill it, a third is dropped.
            peers.rawTcp(address);
            peers.rawTcp(address);
            await().atMost(Duration.ofSeconds(5)).until(() -> node.pendingInboundHandshakes() == 2);
            Socket third = peers.rawTcp(address);
            third.setSoTimeout(5000);
            assertThat(third.getInputStream().read()).isEqualTo(-1);
            assertThat(node.pendingInboundHandshakes()).isEqualTo(2);
        } finally {
            node.close();
        }
    }

    // ---- helpers ----

    private static void sendAll(FrameStream stream, byte[] payload, int count) {
        try {
            for (int i = 0; i < count; i++) {
                stream.send(payload);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads mux frames until a CLOSE for {@code streamId} and returns its code. */
    private static int readCloseCode(DataInputStream in, int streamId) throws IOException {
        while (true) {
            byte type = in.readByte();
            int id = in.readInt();
            int length = in.readInt();
            byte[] body = in.readNBytes(length);
            if (type == MuxFrame.CLOSE && id == streamId) {
                return MuxFrame.readInt(body, 0);
            }
        }
    }
}
