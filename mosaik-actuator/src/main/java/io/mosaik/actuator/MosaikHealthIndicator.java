package io.mosaik.actuator;

import io.mosaik.network.ConnectionInfo;
import io.mosaik.network.Network;
import io.mosaik.network.NetworkState;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * The {@code mosaik} health contributor: UP while the node is running, with its peer id, address and
 * the number of connected peers; DOWN otherwise, with its state.
 *
 * <p>A node with no connections is UP: being alone is normal for the first node of a network, and
 * taking it out of a load balancer would not help it find peers.
 */
public class MosaikHealthIndicator extends AbstractHealthIndicator {

    private final Network network;

    /**
     * Creates the indicator.
     *
     * @param network the node to check
     */
    public MosaikHealthIndicator(Network network) {
        super("mosaik health check failed");
        this.network = network;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        NetworkState state = network.state();
        builder.withDetail("peerId", network.peerId().toHex());
        if (state != NetworkState.RUNNING) {
            builder.down().withDetail("state", state.name());
            return;
        }
        long peers = network.connections().stream().map(ConnectionInfo::peer).distinct().count();
        builder.up()
                .withDetail("address", network.address().toString())
                .withDetail("connections", peers);
    }
}
