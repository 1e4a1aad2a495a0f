package io.mosaik.actuator;

import io.mosaik.groups.GroupId;
import io.mosaik.groups.GroupStatus;
import io.mosaik.network.ConnectionInfo;
import io.mosaik.network.Network;
import io.mosaik.network.NetworkState;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
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
 *       {@code catalog} (the other peers this node knows), {@code streams} (its producers and consumers
 *       with their subscriptions and stats), {@code groups} (a line per group) or {@code collections}
 *       (a line per replicated collection); 404 for any other name</li>
 *   <li>{@code GET /actuator/mosaik/{section}/{item}}: one item of a section, where a section has items:
 *       {@code groups/{name-or-id}} is one group in full (voters, learners, bonds, followers), found by
 *       its name, its id or its short id; 404 if there is none</li>
 * </ul>
 *
 * <p>Each section is a name and a supplier in {@link #sections}, read on every request; a subsystem
 * that wants a section of its own (catalog, streams, groups) adds one entry there, and one in
 * {@link #items} if its entries can be looked up one by one.
 */
@Endpoint(id = "mosaik")
public class MosaikEndpoint {

    private final Network network;
    private final Supplier<Map<GroupId, String>> groupNames;
    private final Map<String, Supplier<Object>> sections = new LinkedHashMap<>();
    private final Map<String, Function<String, Object>> items = new LinkedHashMap<>();

    /**
     * Creates the endpoint; groups are shown without names.
     *
     * @param network the node to describe
     */
    public MosaikEndpoint(Network network) {
        this(network, Map::of);
    }

    /**
     * Creates the endpoint.
     *
     * @param network    the node to describe
     * @param groupNames the names of the node's groups by id, asked on every request (a group without
     *                   a name is shown by its id only)
     */
    public MosaikEndpoint(Network network, Supplier<Map<GroupId, String>> groupNames) {
        this.network = network;
        this.groupNames = groupNames;
        sections.put("node", () -> MosaikNodeDescriptor.of(network));
        sections.put("connections", this::connections);
        sections.put("catalog", this::catalog);
        sections.put("streams", () -> MosaikStreamsDescriptor.of(network.streams()));
        sections.put("groups", this::groups);
        sections.put("collections", () -> network.collections().list().stream()
                .map(MosaikCollectionDescriptor::of).toList());
        items.put("groups", this::group);
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

    /**
     * One item of a section.
     *
     * @param section the section name, such as {@code groups}
     * @param item    what to look up in it, such as a group's name or id
     * @return the item, or {@code null} (answered with 404) if the section has no items or no such item
     */
    @ReadOperation
    public Object item(@Selector String section, @Selector String item) {
        Function<String, Object> lookup = items.get(section);
        return lookup == null ? null : lookup.apply(item);
    }

    /** The names of the sections, in the order the overview lists them. */
    public Set<String> sectionNames() {
        return Collections.unmodifiableSet(sections.keySet());
    }

    /**
     * The other peers this node knows, by peer id; empty before the node started. Every signed peer that is
     * not stale, including those {@code mosaik.discovery.max-rtt} hides from streams.
     */
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

    /** Every group this node is a member of, named ones first (by name), then by id. */
    private List<MosaikGroupSummary> groups() {
        Map<GroupId, String> names = names();
        return network.groups().statuses().stream()
                .map(status -> MosaikGroupSummary.of(status, names.get(status.id())))
                .sorted(Comparator.comparing(MosaikGroupSummary::name, Comparator.nullsLast(Comparator.naturalOrder()))
                        .thenComparing(MosaikGroupSummary::id))
                .toList();
    }

    /** The group with this name, id or short id, or {@code null}. */
    private MosaikGroupDescriptor group(String nameOrId) {
        Map<GroupId, String> names = names();
        for (GroupStatus status : network.groups().statuses()) {
            String name = names.get(status.id());
            if (nameOrId.equals(name) || nameOrId.equalsIgnoreCase(status.id().toString())
                    || nameOrId.equalsIgnoreCase(status.id().toShortString())) {
                return MosaikGroupDescriptor.of(status, name);
            }
        }
        return null;
    }

    /** The groups' names: bean names, and {@code collection:<store>} for a collection's group. */
    private Map<GroupId, String> names() {
        Map<GroupId, String> names = new java.util.HashMap<>(groupNames.get());
        network.collections().list().forEach(info -> names.putIfAbsent(info.groupId(), "collection:" + info.store()));
        return names;
    }
}
