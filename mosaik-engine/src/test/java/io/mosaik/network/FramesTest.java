package io.mosaik.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mosaik.network.transport.CloseReason;
import io.mosaik.network.transport.FrameTooLargeException;
import io.mosaik.network.transport.Frames;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import org.junit.jupiter.api.Test;

class FramesTest {

    @Test
    void readsBackWhatWasWritten() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(Frames.data(new byte[] {1, 2, 3}));
        out.writeBytes(Frames.noop());
        out.writeBytes(Frames.close(CloseReason.UNKNOWN_PEER));
        Frames.Reader reader = new Frames.Reader(new ByteArrayInputStream(out.toByteArray()), 1024);
        Frames.Frame data = reader.read();
        assertThat(data.type()).isEqualTo(Frames.DATA);
        assertThat(data.body()).containsExactly(1, 2, 3);
        assertThat(reader.read().type()).isEqualTo(Frames.NOOP);
        Frames.Frame close = reader.read();
        assertThat(Frames.decodeClose(close.body())).isEqualTo(CloseReason.UNKNOWN_PEER);
        assertThat(reader.read()).isNull();
    }

    @Test
    void payloadsArePackedIntoRunsOfWholeFramesWithinTheLimit() throws Exception {
        java.util.List<byte[]> payloads = java.util.List.of(new byte[10], new byte[20], new byte[30], new byte[100],
                new byte[5]);
        assertThat(Frames.dataRun(payloads, 0, 70)).as("10 + 20 + 30 with headers is 75").isEqualTo(2);
        assertThat(Frames.dataRun(payloads, 0, 75)).isEqualTo(3);
        assertThat(Frames.dataRun(payloads, 3, 50)).as("too large alone: a run of its own").isEqualTo(4);
        assertThat(Frames.dataRun(payloads, 4, 1 << 20)).isEqualTo(5);

        byte[] packed = Frames.packData(payloads, 1, 4);
        assertThat(packed).hasSize(3 * Frames.HEADER + 150);
        Frames.Reader reader = new Frames.Reader(new ByteArrayInputStream(packed), 1024);
        for (int length : new int[] {20, 30, 100}) {
            Frames.Frame frame = reader.read();
            assertThat(frame.type()).isEqualTo(Frames.DATA);
            assertThat(frame.body()).hasSize(length);
        }
        assertThat(reader.read()).isNull();
    }

    @Test
    void refusesAnOversizedFrameBeforeReadingIt() {
        byte[] header = {(byte) 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, Frames.DATA};
        Frames.Reader reader = new Frames.Reader(new ByteArrayInputStream(header), 1024);
        assertThatThrownBy(reader::read).isInstanceOf(FrameTooLargeException.class)
                .hasMessageContaining("maximum frame size of 1024");
    }

    @Test
    void truncatedAndEmptyFramesAreErrors() {
        byte[] truncated = {0, 0, 0, 9, Frames.DATA, 1, 2};
        assertThatThrownBy(() -> new Frames.Reader(new ByteArrayInputStream(truncated), 1024).read())
                .isInstanceOf(EOFException.class);
        byte[] empty = {0, 0, 0, 0};
        assertThatThrownBy(() -> new Frames.Reader(new ByteArrayInputStream(empty), 1024).read())
                .isInstanceOf(Frames.MalformedFrameException.class);
    }

    @Test
    void largeBodiesArriveWholeAndATruncatedOneIsAnError() throws Exception {
        byte[] payload = new byte[300_000];
        new java.util.Random(1).nextBytes(payload);
        byte[] frame = Frames.data(payload);
        Frames.Reader reader = new Frames.Reader(new ByteArrayInputStream(frame), 1 << 20);
        assertThat(reader.read().body()).isEqualTo(payload);

        byte[] cut = java.util.Arrays.copyOf(frame, 200_000);
        assertThatThrownBy(() -> new Frames.Reader(new ByteArrayInputStream(cut), 1 << 20).read())
                .isInstanceOf(EOFException.class).hasMessageContaining("of 300000 frame bytes");
    }

    @Test
    void unknownCloseCodesAreKept() {
        assertThat(CloseReason.ofCode(12_345)).isEqualTo(new CloseReason(12_345, "Unknown"));
        assertThat(CloseReason.ofCode(10_413)).isEqualTo(CloseReason.TOO_SLOW);
        assertThat(Frames.decodeClose(new byte[] {1})).isEqualTo(CloseReason.PROTOCOL_VIOLATION);
    }
}
