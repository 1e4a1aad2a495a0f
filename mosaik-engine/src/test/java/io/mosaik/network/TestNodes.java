package io.mosaik.network;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mosaik.primitives.NetworkId;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/** Starts networks on loopback for a test and closes them all afterwards. */
final class TestNodes implements AutoCloseable {

    static final NetworkId NETWORK = NetworkId.of("mosaik-test");

    private final TransportKind transport;
    private final List<Network> started = new ArrayList<>();

    TestNodes(TransportKind transport) {
        this.transport = transport;
    }

    Network start() throws IOException {
        return start(NETWORK, builder -> builder);
    }

    Network start(NetworkId network, UnaryOperator<Network.Builder> options) throws IOException {
        Network.Builder builder = Network.builder(network).transport(transport)
                .handshakeTimeout(Duration.ofSeconds(10)).meterRegistry(new SimpleMeterRegistry());
        Network node = options.apply(builder).build();
        started.add(node);
        return node.start();
    }

    @Override
    public void close() {
        started.forEach(Network::close);
    }
}
