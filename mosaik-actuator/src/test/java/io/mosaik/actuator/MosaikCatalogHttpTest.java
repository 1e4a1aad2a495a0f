package io.mosaik.actuator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mosaik.discovery.DiscoveryConfig;
import io.mosaik.discovery.PeerEntry;
import io.mosaik.groups.Group;
import io.mosaik.groups.GroupKey;
import io.mosaik.network.Network;
import io.mosaik.primitives.Tag;
import io.mosaik.streams.StreamId;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code GET /actuator/mosaik/catalog} over HTTP with a second node in the network: the application's
 * node lists it with everything its entry says and a round-trip time, and the overview counts it.
 */
@Timeout(120)
@SpringBootTest(classes = TestApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "mosaik.network-id=actuator-catalog-test",
        "management.endpoints.web.exposure.include=mosaik"})
class MosaikCatalogHttpTest {

    private final JsonMapper json = JsonMapper.shared();

    @LocalServerPort
    int port;

    @Autowired
    Network network;

    private Network other;

    @AfterEach
    void closeOther() {
        if (other != null) {
            other.close();
        }
    }

    @Test
    void catalogListsTheOtherPeerWithItsEntryAndRoundTrip() throws Exception {
        other = Network.builder(network.networkId()).meterRegistry(new SimpleMeterRegistry())
                .bootstrap(List.of(network.address()))
                .discovery(DiscoveryConfig.defaults().withTags(List.of(Tag.of("matcher"), Tag.of("eu-west"))))
                .start();
        other.streams().producer(String.class).streamId("quotes").build();
        Group<Long, String, Long> ledger = other.groups().builder(GroupKey.fromSecret("actuator-catalog-test-ledger"),
                new Counter()).consensus(Counter.FAST).join();
        StreamId quotes = StreamId.of("quotes");

        // the application's node has the entry with the stream and the group, and has pinged the peer
        // (a newly discovered peer is pinged within seconds; the periodic probe is 15-45 s away)
        PeerEntry entry = network.discovery().when().matching(catalog -> catalog
                .getSigned(other.peerId(), System.currentTimeMillis())
                .filter(signed -> signed.entry().streams().contains(quotes.digest())
                        && signed.entry().groups().contains(ledger.id().digest()))
                .isPresent()).get(60, TimeUnit.SECONDS).getSigned(other.peerId(), System.currentTimeMillis())
                .orElseThrow().entry();
        await().atMost(Duration.ofSeconds(10)).until(() -> network.discovery().rtt(other.peerId()).isPresent());

        HttpResponse<String> response = get("/actuator/mosaik/catalog");
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode catalog = json.readTree(response.body());
        assertThat(catalog.propertyNames()).containsExactly(other.peerId().toHex());
        JsonNode peer = catalog.get(other.peerId().toHex());
        assertThat(peer.get("address").asString()).isEqualTo(other.address().toString());
        assertThat(peer.get("tags").valueStream().map(JsonNode::asString))
                .containsExactlyInAnyOrder("matcher", "eu-west");
        assertThat(peer.get("streams").valueStream().map(JsonNode::asString)).contains(quotes.digest().toHex());
        assertThat(peer.get("groups").valueStream().map(JsonNode::asString)).contains(ledger.id().toString());
        // the version shown is at least the one the test read (a re-announce may have come since)
        String[] version = peer.get("version").asString().split("\\.");
        assertThat(Long.parseLong(version[0])).isEqualTo(entry.version().start());
        assertThat(Long.parseLong(version[1])).isGreaterThanOrEqualTo(entry.version().update());
        assertThat(Instant.parse(peer.get("startedAt").asString()).toEpochMilli()).isEqualTo(entry.version().start());
        assertThat(Instant.parse(peer.get("updatedAt").asString()).toEpochMilli())
                .isEqualTo(Long.parseLong(version[1]));
        assertThat(peer.get("rttMillis").isNumber()).isTrue();
        assertThat(peer.get("rttMillis").asDouble()).isPositive().isLessThan(5_000);

        JsonNode overview = json.readTree(get("/actuator/mosaik").body());
        assertThat(overview.get("peerCount").asInt()).isEqualTo(1);
        assertThat(overview.get("catalog").propertyNames()).containsExactly(other.peerId().toHex());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return ActuatorHttp.get(port, path);
    }
}
