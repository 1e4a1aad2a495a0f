package io.mosaik.network.transport.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.mosaik.network.transport.CloseReason;
import io.mosaik.network.transport.TransportMetrics;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The writer's queue bounds, with no writer thread running (as if the peer never read). */
@Timeout(value = 10, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class MuxWriterTest {

    private final List<String> overflows = new ArrayList<>();
    private final MuxWriter writer = new MuxWriter(new ByteArrayOutputStream(), () -> { },
            TransportMetrics.detached("tcp"), e -> { }, overflows::add);

    @Test
    void pongsBeyondHalfTheControlQueueAreDroppedWithoutClosing() {
        int queued = 0;
        for (int i = 0; i < MuxWriter.MAX_CONTROL; i++) {
            if (writer.control(MuxFrame.pong(new byte[MuxFrame.PING_BODY]), true)) {
                queued++;
            }
        }
        assertThat(queued).isEqualTo(MuxWriter.MAX_CONTROL / 2);
        assertThat(overflows).isEmpty();
        // Frames that must not be lost still go in.
        assertThat(writer.control(MuxFrame.windowUpdate(1, 1024), false)).isTrue();
    }

    @Test
    void controlFramesBeyondTheLimitOverflowOnceAndStopTheQueue() {
        for (int i = 0; i < MuxWriter.MAX_CONTROL; i++) {
            assertThat(writer.control(MuxFrame.windowUpdate(1, 1024), false)).isTrue();
        }
        assertThat(writer.control(MuxFrame.windowUpdate(1, 1024), false)).isFalse();
        assertThat(overflows).singleElement().asString().contains("write queue overflow");
        assertThat(writer.control(MuxFrame.windowUpdate(1, 1024), false)).isFalse();
        assertThat(writer.frame(MuxFrame.open(3), false)).isFalse();
        assertThat(overflows).hasSize(1);
    }

    @Test
    void framesThePeerCausesAreBoundedAndTheApplicationsAreNot() {
        for (int i = 0; i < MuxWriter.MAX_QUEUED_FRAMES; i++) {
            assertThat(writer.frame(MuxFrame.open(1 + 2 * i), false)).isTrue();
        }
        assertThat(overflows).isEmpty();
        assertThat(writer.frame(MuxFrame.close(2, CloseReason.CANCELLED), true)).isFalse();
        assertThat(overflows).singleElement().asString().contains("stream frames");
    }
}
