package io.mosaik.actuator;

import io.mosaik.network.Network;
import io.mosaik.network.NetworkState;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The {@code node} section of {@code /actuator/mosaik}: who this node is and how it runs.
 *
 * @param peerId    the node's peer id, 64 hex characters
 * @param networkId the network id, 64 hex characters
 * @param address   where other nodes dial it, {@code peerId@host:port}; {@code null} before it started
 * @param transport the transport, {@code tcp} or {@code quic}
 * @param state     the life-cycle state, such as {@code RUNNING}
 * @param uptime    how long it has been running, as an ISO-8601 duration such as {@code PT1M2.5S}
 * @param startedAt when it started, ISO-8601; {@code null} before it started
 * @param tags      its own role tags, by name
 * @param gossipNeighbors its active gossip neighbours (0 while alone or before it started)
 */
public record MosaikNodeDescriptor(String peerId, String networkId, String address, String transport,
        String state, String uptime, String startedAt, java.util.List<String> tags, int gossipNeighbors) {

    /**
     * Describes a network as it is now.
     *
     * @param network the network
     * @return its description
     */
    public static MosaikNodeDescriptor of(Network network) {
        NetworkState state = network.state();
        Duration uptime = network.uptime();
        String startedAt = network.startedAt().map(Instant::toString).orElse(null);
        return new MosaikNodeDescriptor(network.peerId().toHex(), network.networkId().toString(), address(network),
                network.transport().configName(), state.name(), uptime.truncatedTo(ChronoUnit.MILLIS).toString(),
                startedAt, tags(network), network.discovery().gossipNeighbors());
    }

    private static java.util.List<String> tags(Network network) {
        try {
            return network.discovery().me().entry().tags().stream().map(io.mosaik.primitives.Tag::name).toList();
        } catch (IllegalStateException notStarted) {
            return java.util.List.of();
        }
    }

    private static String address(Network network) {
        try {
            return network.address().toString();
        } catch (IllegalStateException notStarted) {
            return null;
        }
    }
}
