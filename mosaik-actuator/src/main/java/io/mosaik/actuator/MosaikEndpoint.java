package io.mosaik.actuator;

import io.mosaik.network.ConnectionInfo;
import io.mosaik.network.Network;
import io.mosaik.network.NetworkState;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

/**
 * The {@code mosaik} actuator endpoint: what the node is and whom it is connected to.
 *
 * <ul>
 *   <li>{@code GET /actuator/mosaik}: every section, plus {@code connectionCount} and {@code peerCount}</li>
 *   <li>{@code GET /actuator/mosaik/{section}}: one section, {@code node}, {@code connections},
 *       {@code catalog} (the other peers this node knows) or {@code streams} (its producers and consumers
 *       with their subscriptions and stats); 404 for any other name</li>
 * </ul>
 *
 * <p>Each section is a name and a supplier in {@link #sections}, read on every request; a subsystem
 * that wants a section of its own (catalog, streams, groups) adds one entry there.
 */
@Endpoint(id = "mosaik")
public class MosaikEndpoint {

    private final Network network;
    private final Map<String, Supplier<Object>> sections = new LinkedHashMap<>();

    /**
     * Creates the endpoint.
     *
     * @param network the node to describe
     */
    public MosaikEndpoint(Network network) {
        this.network = network;
        sections.put("node", () -> MosaikNodeDescriptor.of(network));
        sections.put("connections", this::connections);
        sections.put("catalog", this::catalog);
        sections.put("streams", () -> MosaikStreamsDescriptor.of(network.streams()));
    }

    /**
     * Every section, in a fixed order, then the number of connected peers.
     *
     * @return the overview, serialized as JSON
     */
    @ReadOperation
    public Map<String, Object> overview() {
        Map<String, Object> overview = new LinkedHashMap<>();
        sections.forEach((name, section) -> overview.put(name, section.get()));
        // counted from the listed section, so the count and the list always agree
        overview.put("connectionCount", overview.get("connections") instanceof Map<?, ?> listed ? listed.size() : 0);
        overview.put("peerCount", overview.get("catalog") instanceof Map<?, ?> known ? known.size() : 0);
        return overview;
    }

    /**
     * One section.
     *
     * @param section the section name, such as {@code node}
     * @return the section, or {@code null} (answered with 404) if there is no section of that name
     */
    @ReadOperation
    public Object section(@Selector String section) {
        Supplier<Object> supplier = sections.get(section);
        return supplier == null ? null : supplier.get();
    }

    /** The names of the sections, in the order the overview lists them. */
    public Set<String> sectionNames() {
        return Collections.unmodifiableSet(sections.keySet());
    }

    /** The other peers this node knows, by peer id; empty before the node started. */
    private Map<String, MosaikPeerDescriptor> catalog() {
        Map<String, MosaikPeerDescriptor> peers = new LinkedHashMap<>();
        if (network.state() == NetworkState.RUNNING) {
            network.discovery().catalog().signedPeers(System.currentTimeMillis())
                    .forEach(entry -> peers.put(entry.entry().peerId().toHex(), MosaikPeerDescriptor.of(entry,
                            network.discovery().rtt(entry.entry().peerId()))));
        }
        return peers;
    }

    /**
     * The open connections by remote peer id. A peer pair can briefly have two connections (a
     * simultaneous dial); the one new links use (the primary) is listed.
     */
    private Map<String, MosaikConnectionDescriptor> connections() {
        Map<String, MosaikConnectionDescriptor> connections = new LinkedHashMap<>();
        for (ConnectionInfo connection : network.connections()) {
            String peer = connection.peer().toHex();
            MosaikConnectionDescriptor known = connections.get(peer);
            if (known == null || (!known.primary() && connection.primary())) {
                connections.put(peer, MosaikConnectionDescriptor.of(connection));
            }
        }
        return connections;
    }
}
