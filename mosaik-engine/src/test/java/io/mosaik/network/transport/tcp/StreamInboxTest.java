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

    @Test
    void wholeDataFramesAtHandAreTakenTogetherUpToTheLimitWithoutWaiting() throws Exception {
        inbox.offer(concat(Frames.data(new byte[] {1}), Frames.data(new byte[] {2})));
        inbox.offer(concat(Frames.data(new byte[] {3}), Frames.data(new byte[] {4})));
        List<byte[]> taken = new ArrayList<>();
        assertThat(inbox.pollDataFrames(1024, taken, 3)).isEqualTo(3);
        assertThat(taken).extracting(body -> body[0]).containsExactly((byte) 1, (byte) 2, (byte) 3);
        taken.clear();
        assertThat(inbox.pollDataFrames(1024, taken, 10)).as("only what is here; no waiting").isEqualTo(1);
        assertThat(inbox.pollDataFrames(1024, taken, 10)).isZero();
        assertThat(taken).extracting(body -> body[0]).containsExactly((byte) 4);
    }

    @Test
    void batchTakingStopsAtAFrameItMustNotTakeAndConsumesNothingOfIt() throws Exception {
        byte[] noop = {0, 0, 0, 1, Frames.NOOP};
        byte[] split = Frames.data(new byte[] {7, 8, 9});
        inbox.offer(concat(concat(Frames.data(new byte[] {5}), noop), Frames.data(new byte[] {6})));
        inbox.offer(Arrays.copyOf(split, 6));
        inbox.offer(Arrays.copyOfRange(split, 6, split.length));
        List<byte[]> taken = new ArrayList<>();
        assertThat(inbox.pollDataFrames(1024, taken, 10)).as("up to the NOOP frame").isEqualTo(1);
        assertThat(inbox.pollFrame(1024).type()).as("the NOOP is still there").isEqualTo(Frames.NOOP);
        assertThat(inbox.pollDataFrames(1024, taken, 10)).as("up to the split frame").isEqualTo(1);
        assertThat(taken).extracting(body -> body[0]).containsExactly((byte) 5, (byte) 6);
        assertThat(new Frames.Reader(inbox, 1024).read().body()).as("the split frame, whole").containsExactly(7, 8, 9);

        inbox.offer(Frames.data(new byte[100]));
        assertThat(inbox.pollDataFrames(99, taken, 10)).as("over the limit: left for the parser").isZero();
        assertThat(new DataInputStream(inbox).readInt()).isEqualTo(101);
    }

    @Test
    void batchTakingGrantsTheConsumedCreditBack() {
        int frames = (int) (MuxFrame.INITIAL_WINDOW / 2 / (Frames.HEADER + 100)) + 1;
        for (int i = 0; i < frames; i++) {
            inbox.offer(Frames.data(new byte[100]));
        }
        List<byte[]> taken = new ArrayList<>();
        assertThat(inbox.pollDataFrames(1024, taken, frames)).isEqualTo(frames);
        assertThat(granted).as("half the window was consumed: granted back").isNotEmpty();
        assertThat(granted.stream().mapToLong(Integer::longValue).sum()).isGreaterThanOrEqualTo(MuxFrame.INITIAL_WINDOW / 2);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }
}
