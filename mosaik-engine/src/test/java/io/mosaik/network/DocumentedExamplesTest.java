package io.mosaik.network;

import static org.assertj.core.api.Assertions.assertThat;

import io.mosaik.primitives.NetworkId;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The code examples of README.md and docs/getting-started.md, so that they keep working. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DocumentedExamplesTest {

    @Test
    void readmeOneLiner() throws Exception {
        try (Network network = Network.start(NetworkId.of("demo"))) {
            assertThat(network.address().toString()).startsWith(network.peerId().toHex() + "@127.0.0.1:");
        }
    }

    @Test
    void gettingStartedWithoutSpring() throws Exception {
        NetworkId id = NetworkId.of("my-network");
        try (Network seed = Network.start(id);
                Network other = Network.builder(id).bootstrap(List.of(seed.address())).start()) {
            seed.handle("/example/echo/1", link -> link.send(link.receive(String.class)));
            Link link = other.openLink(seed.address(), "/example/echo/1").get(30, TimeUnit.SECONDS);
            link.send("hello");
            assertThat(link.receive(String.class)).isEqualTo("hello");
        }
    }
}
