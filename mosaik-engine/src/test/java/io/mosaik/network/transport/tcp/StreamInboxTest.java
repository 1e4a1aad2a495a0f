package io.mosaik.network.transport.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.mosaik.network.transport.Frames;
import java.io.DataInputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The receive buffer of one stream: frames taken whole, or parsed when split across chunks. */
class StreamInboxTest {

    private final List<Integer> granted = new ArrayList<>();
    private final StreamInbox inbox = new StreamInbox(granted::add, new ReceiveBudget(64L << 20, 16), false, false);

    @Test
    void aFrameInsideOneChunkIsTakenWholeAndEmptyChunksAreIgnored() throws Exception {
        assertThat(inbox.offer(new byte[0])).isTrue();
        byte[] two = concat(Frames.data(new byte[] {1, 2}), Frames.data(new byte[] {3}));
        assertThat(inbox.offer(two)).isTrue();
        assertThat(inbox.offer(new byte[0])).isTrue();
        Frames.Frame first = inbox.pollFrame(1024);
        Frames.Frame second = inbox.pollFrame(1024);
        assertThat(first.type()).isEqualTo(Frames.DATA);
        assertThat(first.body()).containsExactly(1, 2);
        assertThat(second.body()).containsExactly(3);
    }

    @Test
    void aFrameSplitAcrossChunksOrOverTheLimitIsLeftToTheStreamParser() throws Exception {
        byte[] frame = Frames.data(new byte[] {4, 5, 6, 7});
        inbox.offer(Arrays.copyOfRange(frame, 0, 6));
        inbox.offer(Arrays.copyOfRange(frame, 6, frame.length));
        assertThat(inbox.pollFrame(1024)).as("split: nothing consumed").isNull();
        Frames.Frame parsed = new Frames.Reader(inbox, 1024).read();
        assertThat(parsed.body()).containsExactly(4, 5, 6, 7);

        inbox.offer(Frames.data(new byte[100]));
        assertThat(inbox.pollFrame(99)).as("over the limit: left for the parser to refuse").isNull();
        assertThat(new DataInputStream(inbox).readInt()).isEqualTo(101);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }
}
