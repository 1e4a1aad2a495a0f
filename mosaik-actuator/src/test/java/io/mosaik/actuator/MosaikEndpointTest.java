package io.mosaik.actuator;

import static org.assertj.core.api.Assertions.assertThat;

import io.mosaik.network.Network;
import io.mosaik.primitives.NetworkId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

/** The endpoint and the health indicator on a node that is not running: no transport needed. */
class MosaikEndpointTest {

    private final Network network = Network.builder(NetworkId.of("endpoint-test")).build();

    @AfterEach
    void close() {
        network.close();
    }

    @Test
    void describesANodeBeforeItStarts() {
        MosaikEndpoint endpoint = new MosaikEndpoint(network);
        MosaikNodeDescriptor node = (MosaikNodeDescriptor) endpoint.section("node");
        assertThat(node.peerId()).isEqualTo(network.peerId().toHex());
        assertThat(node.networkId()).isEqualTo(NetworkId.of("endpoint-test").toString());
        assertThat(node.state()).isEqualTo("CREATED");
        assertThat(node.address()).isNull();
        assertThat(node.startedAt()).isNull();
        assertThat(node.uptime()).isEqualTo("PT0S");
        assertThat(node.transport()).isEqualTo(network.transport().configName());
    }

    @Test
    void overviewListsEverySectionAndTheCount() {
        MosaikEndpoint endpoint = new MosaikEndpoint(network);
        Map<String, Object> overview = endpoint.overview();
        assertThat(overview).containsOnlyKeys("node", "connections", "catalog", "streams", "groups",
                "collections", "connectionCount", "peerCount");
        assertThat(overview.keySet()).startsWith("node", "connections");
        assertThat((Map<?, ?>) overview.get("connections")).isEmpty();
        assertThat(overview.get("connectionCount")).isEqualTo(0);
        assertThat(endpoint.sectionNames()).containsExactly("node", "connections", "catalog", "streams", "groups",
                "collections");
        assertThat((List<?>) overview.get("collections")).isEmpty();
        assertThat((List<?>) overview.get("groups")).isEmpty();
    }

    @Test
    void unknownSectionIsNull() {
        assertThat(new MosaikEndpoint(network).section("nope")).isNull();
    }

    @Test
    void healthIsDownUnlessRunning() {
        MosaikHealthIndicator indicator = new MosaikHealthIndicator(network);
        Health created = indicator.health();
        assertThat(created.getStatus()).isEqualTo(Status.DOWN);
        assertThat(created.getDetails()).containsEntry("state", "CREATED")
                .containsEntry("peerId", network.peerId().toHex());
        network.close();
        assertThat(indicator.health().getDetails()).containsEntry("state", "CLOSED");
    }
}
