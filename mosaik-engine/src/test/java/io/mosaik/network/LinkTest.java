package io.mosaik.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mosaik.codec.JacksonCodec;
import io.mosaik.network.transport.CloseReason;
import io.mosaik.network.transport.FrameStream;
import io.mosaik.network.transport.FrameTooLargeException;
import io.mosaik.network.transport.Frames;
import io.mosaik.network.transport.LinkClosedException;
import io.mosaik.primitives.SecretKey;
import java.io.EOFException;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** How a link turns every kind of broken input into a protocol-violation close and a metric. */
class LinkTest {

    /** A stream whose next receive fails the way a transport reports a broken frame. */
    private static final class BrokenStream implements FrameStream {
        private final IOException failure;
        CloseReason closedWith;

        BrokenStream(IOException failure) {
            this.failure = failure;
        }

        @Override
        public void send(byte[] payload) {
        }

        @Override
        public byte[] receive() throws IOException {
            throw failure;
        }

        @Override
        public void close(CloseReason reason) {
            if (closedWith == null) {
                closedWith = reason;
            }
        }

        @Override
        public boolean isOpen() {
            return closedWith == null;
        }
    }

    static Stream<Arguments> brokenFrames() {
        return Stream.of(
                Arguments.of(new FrameTooLargeException(1 << 30, 4096), "oversized"),
                Arguments.of(new Frames.MalformedFrameException("frame of length 0 has no type"), "malformed"),
                Arguments.of(new EOFException("stream ended inside a frame"), "malformed"));
    }

    @ParameterizedTest
    @MethodSource("brokenFrames")
    void aBrokenFrameClosesTheLinkWithProtocolViolationAndIsCounted(IOException failure, String metricReason) {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        BrokenStream stream = new BrokenStream(failure);
        AtomicInteger closes = new AtomicInteger();
        Link link = new Link(SecretKey.random().peerId(), "test", stream, JacksonCodec.cbor(),
                new NetworkMetrics(registry), closes::incrementAndGet, () -> { });

        assertThatThrownBy(link::receiveBytes).isInstanceOf(LinkClosedException.class)
                .satisfies(e -> assertThat(((LinkClosedException) e).reason()).isEqualTo(CloseReason.PROTOCOL_VIOLATION));
        assertThat(stream.closedWith).isEqualTo(CloseReason.PROTOCOL_VIOLATION);
        assertThat(registry.get("mosaik.network.frames.rejected").tag("reason", metricReason).counter().count())
                .isEqualTo(1.0);
        assertThat(closes.get()).isPositive();
    }

    @ParameterizedTest
    @MethodSource("brokenFrames")
    void aBrokenFrameInABatchReceiveIsTreatedTheSame(IOException failure, String metricReason) {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        BrokenStream stream = new BrokenStream(failure);
        Link link = new Link(SecretKey.random().peerId(), "test", stream, JacksonCodec.cbor(),
                new NetworkMetrics(registry), () -> { }, () -> { });

        assertThatThrownBy(() -> link.receiveAvailableBytes(new java.util.ArrayList<>(), 16))
                .isInstanceOfSatisfying(LinkClosedException.class,
                        e -> assertThat(e.reason()).isEqualTo(CloseReason.PROTOCOL_VIOLATION));
        assertThat(stream.closedWith).isEqualTo(CloseReason.PROTOCOL_VIOLATION);
        assertThat(registry.get("mosaik.network.frames.rejected").tag("reason", metricReason).counter().count())
                .isEqualTo(1.0);
    }
}
