package io.mosaik.actuator;

import static org.assertj.core.api.Assertions.assertThat;

import io.mosaik.groups.Group;
import io.mosaik.network.Network;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The endpoint, the health contributor and the engine's meters over HTTP, in a real web application. */
@Timeout(120)
@SpringBootTest(classes = {TestApp.class, MosaikActuatorHttpTest.Ledger.class},
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "mosaik.network-id=actuator-http-test",
        "mosaik.discovery.tags=matcher,eu-west",
        "mosaik.streams.producers.quotes.type=java.lang.String",
        "mosaik.streams.producers.quotes.stream-id=quotes",
        "mosaik.streams.consumers.orders.type=java.lang.String",
        "mosaik.groups.ledger.key=actuator-http-test-secret",
        "mosaik.groups.ledger.state-machine=ledgerMachine",
        "mosaik.groups.ledger.heartbeat-interval=100ms",
        "mosaik.groups.ledger.heartbeat-jitter=20ms",
        "mosaik.groups.ledger.election-timeout=600ms",
        "mosaik.groups.ledger.bootstrap-delay=300ms",
        "mosaik.collections.balances.kind=map",
        "mosaik.collections.balances.key-type=java.lang.String",
        "mosaik.collections.balances.value-type=java.lang.Long",
        "management.endpoints.web.exposure.include=health,mosaik,metrics",
        "management.endpoint.health.show-details=always"})
class MosaikActuatorHttpTest {

    /** The state machine of the declared group {@code ledger}. */
    @Configuration(proxyBeanMethods = false)
    static class Ledger {
        @Bean
        Counter ledgerMachine() {
            return new Counter();
        }
    }

    private final JsonMapper json = JsonMapper.shared();

    @LocalServerPort
    int port;

    @Autowired
    Network network;

    @Autowired
    Group<Long, String, Long> ledger;

    @Test
    void overview() throws Exception {
        HttpResponse<String> response = get("/actuator/mosaik");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        JsonNode body = json.readTree(response.body());
        JsonNode node = body.get("node");
        assertThat(node.get("peerId").asString()).isEqualTo(network.peerId().toHex());
        assertThat(node.get("networkId").asString()).isEqualTo(network.networkId().toString());
        assertThat(node.get("address").asString()).isEqualTo(network.address().toString());
        assertThat(node.get("transport").asString()).isEqualTo(network.transport().configName());
        assertThat(node.get("state").asString()).isEqualTo("RUNNING");
        assertThat(Duration.parse(node.get("uptime").asString())).isPositive();
        assertThat(node.get("startedAt").asString()).isNotBlank();
        assertThat(node.get("gossipNeighbors").asInt()).isZero(); // alone
        assertThat(node.get("tags").valueStream().map(JsonNode::asString)).containsExactlyInAnyOrder("matcher", "eu-west");
        assertThat(body.get("connections").isObject()).isTrue();
        assertThat(body.get("connectionCount").asInt()).isEqualTo(body.get("connections").size());
    }

    @Test
    void sections() throws Exception {
        HttpResponse<String> node = get("/actuator/mosaik/node");
        assertThat(node.statusCode()).isEqualTo(200);
        assertThat(json.readTree(node.body()).get("peerId").asString()).isEqualTo(network.peerId().toHex());
        HttpResponse<String> connections = get("/actuator/mosaik/connections");
        assertThat(connections.statusCode()).isEqualTo(200);
        assertThat(json.readTree(connections.body()).isObject()).isTrue();
        assertThat(get("/actuator/mosaik/nope").statusCode()).isEqualTo(404);

        HttpResponse<String> streams = get("/actuator/mosaik/streams");
        assertThat(streams.statusCode()).isEqualTo(200);
        JsonNode body = json.readTree(streams.body());
        JsonNode producer = body.get("producers").get(0);
        assertThat(producer.get("stream").asString()).isEqualTo("quotes");
        assertThat(producer.get("type").asString()).isEqualTo("java.lang.String");
        assertThat(producer.get("online").asBoolean()).isFalse(); // no consumer anywhere
        assertThat(producer.get("subscribers").isEmpty()).isTrue();
        JsonNode consumer = body.get("consumers").get(0);
        assertThat(consumer.get("stream").asString()).isEqualTo("java.lang.String");
        assertThat(consumer.get("online").asBoolean()).isTrue();
        assertThat(consumer.get("taken").get("datums").asLong()).isZero();
    }

    @Test
    void health() throws Exception {
        HttpResponse<String> response = get("/actuator/health");
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode mosaik = json.readTree(response.body()).get("components").get("mosaik");
        assertThat(mosaik.get("status").asString()).isEqualTo("UP");
        assertThat(mosaik.get("details").get("peerId").asString()).isEqualTo(network.peerId().toHex());
        assertThat(mosaik.get("details").get("address").asString()).isEqualTo(network.address().toString());
        assertThat(mosaik.get("details").get("connections").asInt()).isZero();
    }

    @Autowired
    io.mosaik.collections.ReplicatedMapWriter<String, Long> balances;

    @Test
    void collectionsListEachCollectionWithKindRoleSizeAndVersion() throws Exception {
        balances.when().online().get(60, TimeUnit.SECONDS);
        io.mosaik.collections.Version version = balances.put("alice", 5L).get(30, TimeUnit.SECONDS);
        HttpResponse<String> response = get("/actuator/mosaik/collections");
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode collection = json.readTree(response.body()).get(0);
        assertThat(collection.get("store").asString()).isEqualTo("balances");
        assertThat(collection.get("kind").asString()).isEqualTo("map");
        assertThat(collection.get("role").asString()).isEqualTo("writer");
        assertThat(collection.get("types").valueStream().map(JsonNode::asString)).containsExactly("String", "Long");
        assertThat(collection.get("size").asLong()).isEqualTo(1);
        assertThat(collection.get("version").asLong()).isEqualTo(version.index());
        assertThat(collection.get("online").asBoolean()).isTrue();
        assertThat(collection.get("leader").asString()).isEqualTo(network.peerId().toHex());
        assertThat(collection.get("groupId").asString()).isEqualTo(balances.groupId().toString());
        JsonNode groups = json.readTree(get("/actuator/mosaik/groups").body());
        assertThat(groups.valueStream().map(g -> g.get("name").asString())).contains("collection:balances", "ledger");
        assertThat(get("/actuator/metrics/mosaik.collections.size").statusCode()).isEqualTo(200);
    }

    @Test
    void groupsListTheDeclaredGroupByName() throws Exception {
        ledger.when().isLeader().get(30, TimeUnit.SECONDS);
        HttpResponse<String> response = get("/actuator/mosaik/groups");
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode group = json.readTree(response.body()).valueStream()
                .filter(g -> g.get("name").asString().equals("ledger")).findFirst().orElseThrow();
        assertThat(group.get("id").asString()).isEqualTo(ledger.id().toString());
        assertThat(group.get("role").asString()).isEqualTo("LEADER");
        assertThat(group.get("leader").asString()).isEqualTo(network.peerId().toHex());
        assertThat(group.get("online").asBoolean()).isTrue();
        assertThat(group.get("voterCount").asInt()).isEqualTo(1);
        assertThat(group.get("bondCount").asInt()).isZero();
        assertThat(group.has("commitIndex")).isTrue();
        assertThat(group.has("appliedIndex")).isTrue();
        assertThat(group.has("learnerCount")).isTrue();
    }

    @Test
    void oneGroupByNameOrId() throws Exception {
        ledger.when().isLeader().get(30, TimeUnit.SECONDS);
        HttpResponse<String> byName = get("/actuator/mosaik/groups/ledger");
        assertThat(byName.statusCode()).isEqualTo(200);
        JsonNode group = json.readTree(byName.body());
        assertThat(group.get("self").asString()).isEqualTo(network.peerId().toHex());
        assertThat(group.get("voters").valueStream().map(JsonNode::asString)).containsExactly(network.peerId().toHex());
        assertThat(group.get("lastLog").get("index").asLong()).isPositive();
        assertThat(group.get("followers").isObject()).isTrue();
        HttpResponse<String> byId = get("/actuator/mosaik/groups/" + ledger.id());
        assertThat(json.readTree(byId.body()).get("name").asString()).isEqualTo("ledger");
        assertThat(get("/actuator/mosaik/groups/nope").statusCode()).isEqualTo(404);
        assertThat(get("/actuator/mosaik/node/ledger").statusCode()).isEqualTo(404);
    }

    @Test
    void healthNamesTheGroupAndItsLeader() throws Exception {
        ledger.when().isLeader().get(30, TimeUnit.SECONDS);
        JsonNode mosaik = json.readTree(get("/actuator/health").body()).get("components").get("mosaik");
        assertThat(mosaik.get("status").asString()).isEqualTo("UP");
        JsonNode group = mosaik.get("details").get("groups").get("ledger");
        assertThat(group.get("leader").asString()).isEqualTo(network.peerId().toHex());
        assertThat(group.get("role").asString()).isEqualTo("LEADER");
    }

    @Test
    void engineMetersAreInTheApplicationRegistry() throws Exception {
        HttpResponse<String> response = get("/actuator/metrics/mosaik.network.connections.current");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json.readTree(response.body()).get("name").asString())
                .isEqualTo("mosaik.network.connections.current");
        assertThat(get("/actuator/metrics").body()).contains("mosaik.network.");
    }

    private HttpResponse<String> get(String path) throws Exception {
        return ActuatorHttp.get(port, path);
    }
}
