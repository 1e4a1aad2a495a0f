package io.mosaik.groups;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mosaik.network.Link;
import io.mosaik.network.Network;
import io.mosaik.network.transport.LinkClosedException;
import io.mosaik.primitives.NetworkId;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A bond sends frames straight to the link when it can and through its writer when it must, in order. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BondTest {

    private final List<Network> nodes = new ArrayList<>();

    @AfterEach
    void close() {
        nodes.forEach(Network::close);
    }

    private Network node() throws Exception {
        Network node = Network.builder(NetworkId.of("bond-test")).handshakeTimeout(Duration.ofSeconds(10))
                .meterRegistry(new SimpleMeterRegistry()).build();
        nodes.add(node);
        return node.start();
    }

    @Test
    void framesKeepTheirOrderWhetherSentDirectlyOrThroughTheWriter() throws Exception {
        Network sender = node();
        Network receiver = node();
        int frames = 3_000;
        Semaphore readable = new Semaphore(0); // the receiver reads only what it is allowed: the window fills
        CompletableFuture<List<Long>> received = new CompletableFuture<>();
        receiver.handle("test/bond", link -> {
            List<Long> sequence = new ArrayList<>();
            try {
                while (sequence.size() < frames) {
                    readable.acquire();
                    sequence.add(ByteBuffer.wrap(link.receiveBytes()).getLong());
                }
                received.complete(sequence);
            } catch (LinkClosedException | InterruptedException e) {
                received.completeExceptionally(e);
            }
        });
        Link link = sender.openLink(receiver.address(), "test/bond").get(30, TimeUnit.SECONDS);
        Bond bond = new Bond(receiver.peerId(), sender.peerId(), link);
        bond.start(frame -> { }, ended -> { });

        for (int i = 0; i < frames; i++) {
            bond.send(ByteBuffer.allocate(1_000).putLong(0, i).array());
            if (i == 200) {
                assertThat(bond.idle()).as("the peer's window is full: frames wait in the writer's queue").isFalse();
                readable.release(frames); // from now on the receiver reads as fast as it can
            }
        }
        List<Long> sequence = received.get(30, TimeUnit.SECONDS);
        for (int i = 0; i < frames; i++) {
            assertThat(sequence.get(i)).as("frame %d", i).isEqualTo(i);
        }
        bond.close(io.mosaik.network.transport.CloseReason.SUCCESS);
    }
}
